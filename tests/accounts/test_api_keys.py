from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hirebridge.accounts.models import LAST_USED_PRECISION, ApiKey, hash_api_key


def test_the_plaintext_is_returned_once_and_only_its_hash_is_stored(tara):
    key, plaintext = ApiKey.objects.issue(tara, "scripts")
    stored = ApiKey.objects.get(pk=key.pk)
    assert plaintext.startswith("hb_")
    assert len(plaintext) > 40
    assert stored.key_hash == hash_api_key(plaintext) != plaintext
    assert plaintext not in {str(v) for v in stored.__dict__.values()} - {stored.prefix}
    assert stored.prefix == plaintext[:10]


def test_a_key_authenticates_its_owner_and_records_its_use(tara):
    key, plaintext = ApiKey.objects.issue(tara, "scripts")
    assert ApiKey.objects.authenticate(plaintext) == tara
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_wrong_revoked_and_deactivated_keys_authenticate_no_one(tara, alex):
    assert ApiKey.objects.authenticate("hb_not-a-key") is None
    key, plaintext = ApiKey.objects.issue(tara, "old")
    key.revoke()
    assert ApiKey.objects.authenticate(plaintext) is None

    _, alex_key = ApiKey.objects.issue(alex, "alex")
    alex.deactivated_at = timezone.now()
    alex.save()
    assert ApiKey.objects.authenticate(alex_key) is None


def test_two_keys_never_share_a_hash(tara):
    hashes = {ApiKey.objects.issue(tara, f"k{i}")[0].key_hash for i in range(20)}
    assert len(hashes) == 20


def test_a_keys_use_is_written_at_most_once_a_minute(tara):
    key, plaintext = ApiKey.objects.issue(tara, "scripts")
    recently = timezone.now() - LAST_USED_PRECISION + timedelta(seconds=5)
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=recently)
    with CaptureQueriesContext(connection) as queries:
        assert ApiKey.objects.authenticate(plaintext) == tara
    assert len(queries) == 1  # the lookup, no write
    key.refresh_from_db()
    assert key.last_used_at == recently

    a_while_ago = timezone.now() - LAST_USED_PRECISION
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=a_while_ago)
    assert ApiKey.objects.authenticate(plaintext) == tara
    key.refresh_from_db()
    assert key.last_used_at > a_while_ago
