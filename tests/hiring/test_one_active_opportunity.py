import pytest
from django.db import IntegrityError, transaction

from hirebridge.hiring import services
from hirebridge.hiring.models import ArchiveReason, Opportunity
from tests.factories import PostingFactory, candidate


def test_a_second_active_opportunity_on_the_same_posting_is_refused(tara, posting):
    ada = candidate(tara, posting=posting).candidate
    with pytest.raises(services.DuplicateOpportunity) as error:
        services.add_opportunity(tara, ada, posting=posting)
    assert error.value.field == "posting"
    assert ada.opportunities.count() == 1


def test_other_postings_and_general_opportunities_are_allowed(tara, posting):
    ada = candidate(tara, posting=posting).candidate
    services.add_opportunity(tara, ada, posting=PostingFactory())
    services.add_opportunity(tara, ada)
    services.add_opportunity(tara, ada)
    assert ada.opportunities.count() == 4


def test_an_archived_opportunity_does_not_block_a_new_one(tara, posting):
    first = candidate(tara, posting=posting)
    services.archive(tara, first, ArchiveReason.objects.get(text="Timing"))
    second = services.add_opportunity(tara, first.candidate, posting=posting)
    assert second.pk != first.pk
    with pytest.raises(services.DuplicateOpportunity):
        services.unarchive(tara, first)
    first.refresh_from_db()
    assert first.is_archived


def test_the_database_itself_enforces_the_rule(tara, posting):
    """Even a write that skips the services (or races them) cannot make a second one."""
    first = candidate(tara, posting=posting)
    with pytest.raises(IntegrityError), transaction.atomic():
        Opportunity.objects.create(candidate=first.candidate, posting=posting, stage=first.stage)
