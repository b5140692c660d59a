"""Every writer keeps the candidate's search document current, in its own transaction."""

import pytest

from hirebridge.hiring import merge, services
from hirebridge.hiring.models.records import RecordSource
from hirebridge.search import index
from hirebridge.search.models import SearchDocument
from tests.factories import candidate


@pytest.fixture
def ada(alex, posting):
    return candidate(
        alex,
        "Ada Lovelace",
        posting=posting,
        headline="Analyst",
        current_company="Analytical Engines",
        current_title="Programmer",
        location="London",
        emails=["ada@engines.example"],
        tags=["math"],
    ).candidate


def test_a_new_candidate_is_found_by_every_field(find, ada):
    for query in ["lovelace", "analyst", "analytical", "programmer", "london", "math"]:
        assert find(query) == ["Ada Lovelace"], query


def test_an_email_is_found_whole_and_by_its_parts(find, ada):
    for query in ["ada@engines.example", "engines.example", "engines", "ADA@Engines.Example"]:
        assert find(query) == ["Ada Lovelace"], query


def test_accents_fold_both_ways(find, alex):
    candidate(alex, "José Ñúñez", location="Zürich", emails=["jose@example.com"])
    assert find("jose nunez") == ["José Ñúñez"]
    assert find("ZURICH") == ["José Ñúñez"]
    assert find("zürich") == ["José Ñúñez"]


def test_a_profile_update_replaces_what_is_found(find, alex, ada):
    services.update_candidate(alex, ada, current_company="Difference Engines", name="Ada King")
    assert find("analytical") == []
    assert find("difference") == find("king") == ["Ada King"]


def test_contact_details_added_and_removed(find, alex, ada):
    services.add_contact_details(alex, ada, emails=["countess@lovelace.example"])
    assert find("countess") == ["Ada Lovelace"]
    services.remove_contact_details(alex, ada, emails=["countess@lovelace.example"])
    assert find("countess") == []


def test_tags_added_and_removed_on_an_opportunity(find, alex, ada):
    opportunity = ada.opportunities.get()
    services.add_tags(alex, opportunity, ["rust"])
    assert find("rust") == ["Ada Lovelace"]
    services.remove_tags(alex, opportunity, ["rust"])
    assert find("rust") == []


def test_a_new_opportunitys_tags(find, alex, ada):
    services.add_opportunity(alex, ada, tags=["compilers"])
    assert find("compilers") == ["Ada Lovelace"]


def test_notes_added_edited_and_deleted(find, alex, ada):
    note, _ = services.add_note(alex, ada, "Wrote the first algorithm")
    assert find("algorithm") == ["Ada Lovelace"]
    services.edit_note(alex, note, "Wrote the first program")
    assert find("algorithm") == []
    assert find("program") == ["Ada Lovelace"]
    services.delete_note(alex, note)
    assert find("program") == []


def test_notes_kept_in_step_with_linkedin(find, alex, ada):
    services.add_note(alex, ada, "Met at PyCon", source=RecordSource.LINKEDIN, external_id="31")
    assert find("pycon") == ["Ada Lovelace"]
    services.update_external_note(alex, RecordSource.LINKEDIN, "31", "Met at EuroPython")
    assert find("pycon") == [] and find("europython") == ["Ada Lovelace"]
    services.delete_external_note(alex, RecordSource.LINKEDIN, "31")
    assert find("europython") == []
    services.add_note(alex, ada, "From LinkedIn", source=RecordSource.LINKEDIN, external_id="32")
    services.forget_linkedin_data(alex, ada)
    assert find("from linkedin") == []


def test_a_merge_leaves_one_document_with_everything(find, tara, alex, ada):
    king = candidate(alex, "Ada King", emails=["countess@lovelace.example"]).candidate
    services.add_note(alex, king, "Poetical science")
    merge.merge(tara, ada, king)
    assert find("poetical") == find("countess") == ["Ada Lovelace"]
    assert SearchDocument.objects.count() == 1


def test_a_deleted_candidate_is_no_longer_found(find, alex, ada):
    services.delete_candidate(alex, ada)
    assert find("lovelace") == []
    assert not SearchDocument.objects.exists()


def test_a_failed_write_leaves_the_document_as_it_was(find, alex, ada, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("midway")

    monkeypatch.setattr(services, "_record", fail)
    with pytest.raises(RuntimeError):
        services.update_candidate(alex, ada, name="Ada King")
    assert find("lovelace") == ["Ada Lovelace"] and find("king") == []


def test_rebuild_writes_every_document_set_based(find, alex, ada):
    candidate(alex, "Grace Hopper")
    SearchDocument.objects.all().delete()
    assert find("lovelace") == []
    assert index.rebuild() == 2
    assert find("lovelace") == ["Ada Lovelace"] and find("hopper") == ["Grace Hopper"]
    assert index.rebuild([ada.pk]) == 1


def test_rebuilt_documents_follow_recency(alex, ada):
    grace = candidate(alex, "Grace Hopper").candidate
    index.rebuild()
    ids = dict(SearchDocument.objects.values_list("candidate_id", "id"))
    assert ids[grace.pk] > ids[ada.pk]
