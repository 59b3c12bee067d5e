"""PATCH (RFC 7644 §3.5.2) applied to a copy of the resource as the client sees it.

The result is checked like a PUT body, so a PATCH either yields a complete valid person or an error
before anything is written: nothing is ever half-applied.
"""

from __future__ import annotations

import copy
from typing import Any

from scim.filters import Compare, Logical, ScimSyntaxError, matches, parse_patch_path
from scim.resources import ScimError
from scim.schemas import ENTERPRISE, FLIPSIDE, PATCH_OP

# Attribute names Flipside knows, per schema ("" is the core User schema), with their sub-attributes.
KNOWN: dict[str, dict[str, tuple[str, ...]]] = {
    "": {
        "userName": (), "externalId": (), "displayName": (), "title": (), "locale": (), "timezone": (),
        "preferredLanguage": (),
        "active": (), "name": ("formatted", "familyName", "givenName"),
        "emails": ("value", "type", "primary"),
    },
    ENTERPRISE: {"employeeNumber": (), "organization": (), "department": (), "manager": ("value",)},
    FLIPSIDE: {"level": ()},
}
MULTI = {"emails"}
READ_ONLY = {"id", "meta", "schemas"}
MAX_OPERATIONS = 100


def _urn(urn: str) -> str:
    if not urn:
        return ""
    for known in (ENTERPRISE, FLIPSIDE):
        if urn.lower() == known.lower():
            return known
    raise ScimError(f"Unknown schema “{urn}”.", scim_type="invalidPath")


def _attr_name(urn: str, attr: str) -> str:
    if urn == "" and attr.lower() in READ_ONLY:
        raise ScimError(f"“{attr}” cannot be changed.", scim_type="mutability")
    for name in KNOWN[urn]:
        if name.lower() == attr.lower():
            return name
    if urn == ENTERPRISE and attr.lower() == "manager.$ref":
        raise ScimError("manager.$ref is read-only.", scim_type="mutability")
    raise ScimError(f"Flipside has no attribute “{attr}”.", scim_type="invalidPath")


def _sub_name(urn: str, attr: str, sub: str) -> str:
    for name in KNOWN[urn][attr]:
        if name.lower() == sub.lower():
            return name
    if attr == "manager" and sub.lower() in ("$ref", "displayname"):
        raise ScimError(f"manager.{sub} is read-only.", scim_type="mutability")
    raise ScimError(f"Flipside has no attribute “{attr}.{sub}”.", scim_type="invalidPath")


def _holder(resource: dict, urn: str, create: bool) -> dict | None:
    if not urn:
        return resource
    if urn not in resource and create:
        resource[urn] = {}
    return resource.get(urn)


def _coerce(attr: str, sub: str, value: Any) -> Any:
    # Entra ID sends booleans as the strings "True"/"False" in PATCH (active, emails[...].primary).
    boolean = attr == "active" or (attr == "emails" and sub == "primary")
    if boolean and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def _apply_no_path(resource: dict, op: str, value: Any) -> None:
    if not isinstance(value, dict):
        raise ScimError("Without a path, value must be an object of attributes.", scim_type="invalidValue")
    for key, item in value.items():
        if not isinstance(key, str):
            raise ScimError("Attribute names must be strings.", scim_type="invalidPath")
        if key.lower() in (ENTERPRISE.lower(), FLIPSIDE.lower()):
            if not isinstance(item, dict):
                raise ScimError(f"{key} must be an object.")
            for sub_key, sub_value in item.items():
                if sub_key.lower() == "schemas":
                    continue
                _apply_path(resource, op, f"{_urn(key)}:{sub_key}", sub_value)
        elif key.lower() == "schemas":
            continue
        elif key.lower() == "id" and str(item) == str(resource.get("id")):
            continue  # some directories send the whole resource back, its own id included
        else:
            _apply_path(resource, op, key, item)


def _eq_terms(node: Any) -> dict[str, Any] | None:
    """``type eq "work" and primary eq true`` → {"type": "work", "primary": True}; None otherwise."""
    if isinstance(node, Compare) and node.op == "eq" and not node.path.sub and not node.path.urn:
        return {node.path.attr: node.value}
    if isinstance(node, Logical) and node.op == "and":
        left, right = _eq_terms(node.left), _eq_terms(node.right)
        return {**left, **right} if left is not None and right is not None else None
    return None


def _apply_path(resource: dict, op: str, raw_path: Any, value: Any) -> None:
    if isinstance(raw_path, str) and raw_path.strip().lower() in (ENTERPRISE.lower(), FLIPSIDE.lower()):
        urn = _urn(raw_path.strip())
        if op == "remove":
            resource.pop(urn, None)
        else:
            _apply_no_path(resource, op, {urn: value})
        return
    try:
        path = parse_patch_path(raw_path)
    except ScimSyntaxError as error:
        raise ScimError(str(error), scim_type=error.scim_type) from None
    urn = _urn(path.path.urn)
    if not path.path.attr:  # the whole extension
        if op == "remove":
            resource.pop(urn, None)
        else:
            _apply_no_path(resource, op, {urn: value})
        return
    attr = _attr_name(urn, path.path.attr)
    sub = path.path.sub or path.sub
    if sub:
        if not KNOWN[urn][attr]:
            raise ScimError(f"“{attr}” has no sub-attributes.", scim_type="invalidPath")
        sub = _sub_name(urn, attr, sub)
    if op != "remove":
        value = _coerce(attr, sub, value)
    holder = _holder(resource, urn, create=op != "remove")
    if holder is None:
        return
    if path.filter is not None:
        _apply_filtered(holder, op, attr, path.filter, sub, value)
        return
    if attr in MULTI and not sub:
        if op == "remove":
            holder.pop(attr, None)
        elif op == "add":
            items = value if isinstance(value, list) else [value]
            holder[attr] = list(holder.get(attr) or []) + items
        else:
            holder[attr] = value if isinstance(value, list) else [value]
        return
    if sub:
        current = holder.get(attr)
        if attr in MULTI:
            for element in current or []:
                if isinstance(element, dict):
                    if op == "remove":
                        element.pop(sub, None)
                    else:
                        element[sub] = value
            return
        if op == "remove":
            if isinstance(current, dict):
                current.pop(sub, None)
            return
        if not isinstance(current, dict):
            current = holder[attr] = {}
        current[sub] = value
        return
    if op == "remove":
        holder.pop(attr, None)
    elif isinstance(value, dict) and isinstance(holder.get(attr), dict) and op == "add":
        holder[attr] = {**holder[attr], **value}
    else:
        holder[attr] = value


def _apply_filtered(holder: dict, op: str, attr: str, flt: Any, sub: str, value: Any) -> None:
    if attr not in MULTI:
        raise ScimError(f"“{attr}” is not multi-valued: it cannot take a filter.", scim_type="invalidPath")
    elements = [e for e in (holder.get(attr) or []) if isinstance(e, dict)]
    hits = [e for e in elements if matches(flt, e)]
    if op == "remove":
        if not hits:
            raise ScimError("No value matches the filter.", scim_type="noTarget")
        if sub:
            for element in hits:
                element.pop(sub, None)
        else:
            holder[attr] = [e for e in elements if e not in hits]
        return
    if not hits:
        terms = _eq_terms(flt)
        if op == "replace" and terms is None:
            raise ScimError("No value matches the filter.", scim_type="noTarget")
        if terms is None:
            raise ScimError("Cannot add through this filter; add the whole value instead.",
                            scim_type="invalidPath")
        # "add emails[type eq "work"].value" with no work address creates one (Entra ID does this).
        element = dict(terms)
        if sub:
            element[sub] = value
        elif isinstance(value, dict):
            element.update(value)
        else:
            raise ScimError("The value must be an object.")
        holder[attr] = elements + [element]
        return
    for element in hits:
        if sub:
            element[sub] = value
        elif isinstance(value, dict):
            element.update(value)
        else:
            raise ScimError("The value must be an object.")


def apply_patch(resource: dict, body: Any) -> dict:
    """The resource after the PatchOp body's operations (a new dict); ScimError on any bad input."""
    if not isinstance(body, dict):
        raise ScimError("The body must be a JSON object.", scim_type="invalidSyntax")
    schemas = body.get("schemas")
    if not isinstance(schemas, list) or PATCH_OP not in schemas:
        raise ScimError(f"A PATCH body must list the schema {PATCH_OP}.", scim_type="invalidSyntax")
    operations = body.get("Operations", body.get("operations"))
    if not isinstance(operations, list) or not operations:
        raise ScimError("Operations must be a non-empty list.", scim_type="invalidSyntax")
    if len(operations) > MAX_OPERATIONS:
        raise ScimError(f"At most {MAX_OPERATIONS} operations per request.", scim_type="invalidValue")
    result = copy.deepcopy(resource)
    result.pop("meta", None)
    for operation in operations:
        if not isinstance(operation, dict):
            raise ScimError("Each operation must be an object.", scim_type="invalidSyntax")
        op = operation.get("op")
        if not isinstance(op, str) or op.lower() not in ("add", "replace", "remove"):
            raise ScimError("op must be add, replace or remove.", scim_type="invalidSyntax")
        op = op.lower()
        path = operation.get("path")
        if op != "remove" and "value" not in operation:
            raise ScimError(f"An “{op}” operation needs a value.", scim_type="invalidValue")
        if path is None:
            if op == "remove":
                raise ScimError("A remove operation needs a path.", scim_type="noTarget")
            _apply_no_path(result, op, operation["value"])
        else:
            _apply_path(result, op, path, operation.get("value"))
    return result
