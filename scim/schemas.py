"""What the SCIM service provider publishes about itself (RFC 7643 §5–§7)."""

from __future__ import annotations

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
# Flipside's own extension: the grade used by matching ("mentee at least N levels above").
FLIPSIDE = "urn:flipside:params:scim:schemas:extension:flipside:2.0:User"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
SPC = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"
MAX_RESULTS = 200


def _attr(name: str, type_: str = "string", *, description: str = "", required: bool = False,
          mutability: str = "readWrite", returned: str = "default", uniqueness: str = "none",
          multi: bool = False, case_exact: bool = False, sub: list | None = None,
          canonical: list | None = None, refs: list | None = None) -> dict:
    attr = {
        "name": name, "type": type_, "multiValued": multi, "description": description or name,
        "required": required, "mutability": mutability, "returned": returned,
    }
    if type_ in ("string", "reference", "binary"):
        attr.update(caseExact=case_exact, uniqueness=uniqueness)
    if sub is not None:
        attr["subAttributes"] = sub
    if canonical:
        attr["canonicalValues"] = canonical
    if refs:
        attr["referenceTypes"] = refs
    return attr


USER_ATTRIBUTES = [
    _attr("userName", required=True, uniqueness="server",
          description="Unique sign-in name from the directory (often the work e-mail address)."),
    _attr("name", "complex", description="The person's name.", sub=[
        _attr("formatted", description="Full name as shown."),
        _attr("familyName", description="Family name."),
        _attr("givenName", description="Given name."),
    ]),
    _attr("displayName", description="Name shown in Flipside."),
    _attr("title", description="Job title."),
    _attr("locale", description="Language and region, e.g. en-GB."),
    _attr("preferredLanguage", description="Language for pages and messages, e.g. de-DE (German and English "
          "are offered; others are kept but not used)."),
    _attr("timezone", description="IANA time zone, e.g. Europe/Berlin."),
    _attr("active", "boolean", description="False for a leaver: cannot sign in; pairs end."),
    _attr("emails", "complex", multi=True, description="E-mail addresses; the primary one is the login.",
          sub=[
              _attr("value", description="E-mail address."),
              _attr("type", canonical=["work", "home", "other"], description="Kind of address."),
              _attr("primary", "boolean", description="The sign-in address."),
          ]),
]
ENTERPRISE_ATTRIBUTES = [
    _attr("employeeNumber", description="Employee number."),
    _attr("organization", description="Organisation."),
    _attr("department", description="Department (used by matching rules)."),
    _attr("manager", "complex", description="Line manager (reporting lines are a hard matching rule).", sub=[
        _attr("value", description="SCIM id of the manager (their externalId or userName also works)."),
        _attr("$ref", "reference", mutability="readOnly", refs=["User"], description="URI of the manager."),
        _attr("displayName", mutability="readOnly", description="Manager's name."),
    ]),
]
FLIPSIDE_ATTRIBUTES = [
    _attr("level", "integer",
          description="Grade in the organisation; higher is more senior. Matching uses 0 to 32767."),
]


def _schema(id_: str, name: str, description: str, attributes: list, base_url: str) -> dict:
    return {
        "schemas": [SCHEMA], "id": id_, "name": name, "description": description, "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": f"{base_url}/Schemas/{id_}"},
    }


def schemas(base_url: str) -> list[dict]:
    return [
        _schema(CORE_USER, "User", "A person in the organisation.", USER_ATTRIBUTES, base_url),
        _schema(ENTERPRISE, "EnterpriseUser", "Organisation facts.", ENTERPRISE_ATTRIBUTES, base_url),
        _schema(FLIPSIDE, "FlipsideUser", "Flipside's matching facts.", FLIPSIDE_ATTRIBUTES, base_url),
    ]


def resource_types(base_url: str) -> list[dict]:
    return [{
        "schemas": [RESOURCE_TYPE], "id": "User", "name": "User", "endpoint": "/Users",
        "description": "People who may take part in mentoring programs.", "schema": CORE_USER,
        "schemaExtensions": [
            {"schema": ENTERPRISE, "required": False},
            {"schema": FLIPSIDE, "required": False},
        ],
        "meta": {"resourceType": "ResourceType", "location": f"{base_url}/ResourceTypes/User"},
    }]


def service_provider_config(base_url: str, docs_url: str) -> dict:
    return {
        "schemas": [SPC],
        "documentationUri": docs_url,
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": True},
        "authenticationSchemes": [{
            "type": "oauthbearertoken", "name": "Bearer token",
            "description": "A token from `manage.py scim_token create NAME` or HR's SCIM tokens page.",
            "primary": True,
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": f"{base_url}/ServiceProviderConfig"},
    }
