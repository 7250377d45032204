"""Who a session belongs to: the OpenID Connect UserInfo endpoint
(``/services/oauth2/userinfo``) and the identity URL a token answer names as its ``id``
(``/id/<org id>/<user id>``). A missing, expired or revoked token answers 403
``Bad_OAuth_Token`` in plain text, as the identity service does.
https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_userinfo_endpoint.htm
https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_openid.htm
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_http_methods

from sandbox.faults import sandbox_endpoint

from . import tokens
from .models import SalesforceUser
from .oauth import oauth_error_body
from .values import rest_datetime


def _urls(user: SalesforceUser) -> dict:
    rest = f"{tokens.instance_url()}/services/data/v{{version}}/"
    return {
        "rest": rest,
        "sobjects": rest + "sobjects/",
        "search": rest + "search/",
        "query": rest + "query/",
        "recent": rest + "recent/",
        "profile": f"{tokens.instance_url()}/{user.user_id}",
    }


def _user(request: HttpRequest) -> SalesforceUser | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    session = tokens.session_for(token.strip()) if scheme.lower() in ("bearer", "oauth") else None
    return session.grant.user if session else None


def _bad_token() -> HttpResponse:
    return HttpResponse("Bad_OAuth_Token", status=403, content_type="text/plain")


@sandbox_endpoint("salesforce", oauth_error_body)
@require_http_methods(["GET", "POST"])
def userinfo(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user is None:
        return _bad_token()
    return JsonResponse(
        {
            "sub": tokens.identity_url(user),
            "user_id": user.user_id,
            "organization_id": user.org.org_id,
            "preferred_username": user.username,
            "nickname": user.username.split("@")[0],
            "name": user.name,
            "email": user.email,
            "email_verified": True,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "zoneinfo": "America/Los_Angeles",
            "urls": _urls(user),
            "active": True,
            "user_type": "STANDARD",
            "language": "en_US",
            "locale": "en_US",
            "utcOffset": -28800000,
            "updated_at": rest_datetime(user.created_at),
        }
    )


@sandbox_endpoint("salesforce", oauth_error_body)
@require_http_methods(["GET", "POST"])
def identity(request: HttpRequest, org_id: str, user_id: str) -> HttpResponse:
    user = _user(request)
    if user is None or user.user_id != user_id or user.org.org_id != org_id:
        return _bad_token()
    return JsonResponse(
        {
            "id": tokens.identity_url(user),
            "asserted_user": True,
            "user_id": user.user_id,
            "organization_id": user.org.org_id,
            "username": user.username,
            "nick_name": user.username.split("@")[0],
            "display_name": user.name,
            "email": user.email,
            "email_verified": True,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "timezone": "America/Los_Angeles",
            "urls": _urls(user),
            "active": True,
            "user_type": "STANDARD",
            "language": "en_US",
            "locale": "en_US",
            "utcOffset": -28800000,
            "last_modified_date": rest_datetime(user.created_at),
            "is_app_installed": True,
        }
    )
