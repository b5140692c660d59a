from io import StringIO

from django.core.management import call_command

from hirebridge.search.models import SearchDocument
from tests.factories import candidate


def test_search_rebuild_writes_every_document(find, alex):
    candidate(alex, "Ada Lovelace")
    SearchDocument.objects.all().delete()
    out = StringIO()
    call_command("search", "rebuild", stdout=out)
    assert out.getvalue().startswith("1 search documents in ")
    assert find("lovelace") == ["Ada Lovelace"]
