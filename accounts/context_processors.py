from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from accounts.roles import roles_for


def roles(request) -> dict[str, object]:
    """``roles`` in every template; computed only when a template asks for it."""
    return {"roles": SimpleLazyObject(lambda: roles_for(request.user))}
