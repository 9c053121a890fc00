"""Validation of API responses against the OpenAPI document with a strict
OpenAPI 3.0 validator.

schemathesis reads the document as JSON Schema and turns every ``nullable``
into "or null", wherever it stands. OpenAPI 3.0.3 is narrower: ``nullable:
true`` allows null only beside a ``type`` in the same schema object, so
beside ``allOf`` or ``oneOf`` alone it allows nothing. Clients generated
from the document follow the standard, so the tests do too.
"""

import json

from openapi_schema_validator import OAS30Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4

DOCUMENT_URI = "urn:oat:openapi"


def _pointer(*parts):
    return "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def strict_validator(document, *pointer_parts):
    """A validator for the schema at ``document`` / ``pointer_parts``, its
    ``$ref``s resolved within the document, with formats checked."""
    registry = Registry().with_resource(DOCUMENT_URI, DRAFT4.create_resource(document))
    reference = {"$ref": f"{DOCUMENT_URI}#/{_pointer(*pointer_parts)}"}
    return OAS30Validator(
        reference, registry=registry, format_checker=OAS30Validator.FORMAT_CHECKER
    )


def response_errors(document, path, method, status_code, content_type, body):
    """The strict validator's messages for one response body: [] when it
    conforms. A status or media type the operation does not document is left
    to schemathesis's status and content-type checks."""
    responses = document["paths"][path][method.lower()]["responses"]
    status = str(status_code)
    if status not in responses:
        return []
    media_type = content_type.split(";")[0].strip()
    content = responses[status].get("content", {})
    if media_type not in content or "schema" not in content[media_type]:
        return []
    if not media_type.endswith("json"):
        return []
    validator = strict_validator(
        document,
        "paths",
        path,
        method.lower(),
        "responses",
        status,
        "content",
        media_type,
        "schema",
    )
    instance = json.loads(body)
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(body)'}: {error.message}"
        for error in validator.iter_errors(instance)
    ]
