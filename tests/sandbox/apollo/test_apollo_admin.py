"""The Apollo sandbox's state in the admin: listed and opened read-only, API keys as masks."""

import pytest

from sandbox.apollo import store as apollo_store
from sandbox.apollo.models import ApolloAccount, ApolloPerson
from tests.otp import log_in_staff

pytestmark = pytest.mark.django_db

KEY = "apollo-team-key-0123456789"


def test_apollo_models_show_read_only_with_masked_keys(client, make_user):
    log_in_staff(client, make_user("staff", is_staff=True, is_superuser=True))
    account = apollo_store.register_key(KEY)
    apollo_store.take(account, "people/match")
    apollo_store.queue_phone_request(account, "http://127.0.0.1:9/hook", {"people": []})
    person = apollo_store.directory().people.first()
    models = ["apolloaccount", "apolloratewindow", "apolloorganization", "apolloperson"]
    pages = [f"/admin/sandbox/{model}/" for model in [*models, "apollophonerequest"]]
    pages += [
        f"/admin/sandbox/apolloaccount/{account.pk}/change/",
        f"/admin/sandbox/apolloperson/{person.pk}/change/",
    ]
    for page in pages:
        answer = client.get(page)
        assert answer.status_code == 200, page
        assert KEY not in answer.text
    assert KEY[-4:] in client.get(pages[5]).text
    assert client.get("/admin/sandbox/apolloperson/add/").status_code == 403
    client.post(pages[6], {"first_name": "Changed"})
    assert ApolloPerson.objects.get(pk=person.pk).first_name == person.first_name
    assert ApolloAccount.objects.get().api_key == KEY
