from django.contrib.auth import views as auth_views
from django.urls import path

from hirebridge.web import (
    account,
    audit_log,
    candidate_actions,
    candidate_duplicates,
    candidate_page,
    inbound_email,
    linkedin_connection,
    linkedin_settings,
    linkedin_sync_settings,
    linkedin_widgets,
    pipeline,
    postings,
    privacy_notice,
    privacy_settings,
    sign_in,
    two_factor,
    views,
    webhook_settings,
)

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", sign_in.SignInView.as_view(), name="login"),
    path("login/code/", sign_in.code_step, name="sign-in-code"),
    path("login/two-factor-setup/", sign_in.enrol_step, name="sign-in-enrol"),
    path("account/two-factor/", two_factor.page, name="two-factor"),
    path("account/two-factor/enable", two_factor.enable, name="two-factor-enable"),
    path("account/two-factor/disable", two_factor.disable, name="two-factor-disable"),
    path(
        "account/two-factor/recovery-codes",
        two_factor.new_recovery_codes,
        name="two-factor-recovery-codes",
    ),
    path("settings/sign-in/", two_factor.policy_page, name="sign-in-policy"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("pipeline/", pipeline.page, name="pipeline"),
    path("candidates/", views.candidates, name="candidates"),
    path("candidates/<uuid:candidate_id>/", candidate_page.page, name="candidate"),
    path(
        "candidates/<uuid:candidate_id>/notes",
        candidate_actions.add_note,
        name="candidate-note-add",
    ),
    path(
        "candidates/<uuid:candidate_id>/emails",
        candidate_actions.send,
        name="candidate-email-send",
    ),
    path(
        "opportunities/<uuid:opportunity_id>/stage",
        candidate_actions.move_to_stage,
        name="opportunity-stage",
    ),
    path(
        "opportunities/<uuid:opportunity_id>/archive",
        candidate_actions.archive,
        name="opportunity-archive",
    ),
    path(
        "opportunities/<uuid:opportunity_id>/unarchive",
        candidate_actions.unarchive,
        name="opportunity-unarchive",
    ),
    path(
        "candidates/duplicates/",
        candidate_duplicates.duplicates_list,
        name="candidate-duplicates",
    ),
    path(
        "candidates/<uuid:candidate_id>/merge/",
        candidate_duplicates.merge_page,
        name="candidate-merge",
    ),
    path(
        "candidates/<uuid:candidate_id>/privacy-notice",
        privacy_notice.mark_sent,
        name="candidate-privacy-notice-sent",
    ),
    path(
        "candidates/<uuid:candidate_id>/delete/",
        candidate_duplicates.delete_page,
        name="candidate-delete",
    ),
    path(
        "candidates/<uuid:candidate_id>/linkedin/prepare",
        linkedin_connection.prepare,
        name="candidate-linkedin-prepare",
    ),
    path(
        "candidates/<uuid:candidate_id>/linkedin/connect",
        linkedin_connection.connect,
        name="candidate-linkedin-connect",
    ),
    path(
        "candidates/<uuid:candidate_id>/linkedin/disconnect",
        linkedin_connection.disconnect,
        name="candidate-linkedin-disconnect",
    ),
    path("candidates/linkedin-search/", linkedin_widgets.unified_search, name="linkedin-search"),
    path("candidates/recommendations/", linkedin_widgets.recommendations, name="recommendations"),
    path("postings/", postings.postings_list, name="postings"),
    path("postings/new/", postings.posting_create, name="posting-create"),
    path("postings/<uuid:posting_id>/", postings.posting_detail, name="posting"),
    path("postings/<uuid:posting_id>/edit/", postings.posting_edit, name="posting-edit"),
    path("account/api-keys/", account.api_keys, name="api-keys"),
    path("account/api-keys/create", account.api_key_create, name="api-key-create"),
    path("account/api-keys/<uuid:key_id>/revoke", account.api_key_revoke, name="api-key-revoke"),
    path("inbound/email", inbound_email.receive, name="inbound-email"),
    path("settings/privacy/", privacy_settings.page, name="privacy-settings"),
    path("settings/webhooks/", webhook_settings.page, name="webhook-settings"),
    path("settings/webhooks/create", webhook_settings.create, name="webhook-create"),
    path(
        "settings/webhooks/<uuid:webhook_id>/delete", webhook_settings.delete, name="webhook-delete"
    ),
    path(
        "settings/webhooks/<uuid:webhook_id>/verify", webhook_settings.verify, name="webhook-verify"
    ),
    path("settings/audit-log/", audit_log.page, name="audit-log"),
    path("settings/integrations/linkedin/", linkedin_settings.page, name="linkedin-settings"),
    path(
        "settings/integrations/linkedin/credentials",
        linkedin_settings.save_credentials,
        name="linkedin-settings-credentials",
    ),
    path(
        "settings/integrations/linkedin/provision",
        linkedin_settings.provision,
        name="linkedin-settings-provision",
    ),
    path(
        "settings/integrations/linkedin/onboarding",
        linkedin_widgets.onboarding,
        name="linkedin-settings-onboarding",
    ),
    path(
        "settings/integrations/linkedin/check",
        linkedin_settings.check_credentials,
        name="linkedin-settings-check",
    ),
    path(
        "settings/integrations/linkedin/register",
        linkedin_settings.register,
        name="linkedin-settings-register",
    ),
    path(
        "settings/integrations/linkedin/statuses",
        linkedin_settings.refresh_statuses,
        name="linkedin-settings-statuses",
    ),
    path(
        "settings/integrations/linkedin/seats/refresh",
        linkedin_settings.refresh_seats,
        name="linkedin-settings-seats",
    ),
    path(
        "settings/integrations/linkedin/seats/<int:seat_id>/map",
        linkedin_settings.map_seat,
        name="linkedin-settings-map-seat",
    ),
    path(
        "settings/integrations/linkedin/outbound/backfill",
        linkedin_sync_settings.start_backfill,
        name="linkedin-settings-backfill",
    ),
    path(
        "settings/integrations/linkedin/outbound/retry",
        linkedin_sync_settings.retry_refused,
        name="linkedin-settings-retry",
    ),
    path(
        "settings/integrations/linkedin/outbound/job-availability",
        linkedin_sync_settings.save_job_availability,
        name="linkedin-settings-job-availability",
    ),
    path(
        "settings/integrations/linkedin/closed-profiles/<int:closed_profile_id>/decide",
        linkedin_sync_settings.decide_closed_profile,
        name="linkedin-settings-decide-closed-profile",
    ),
]
