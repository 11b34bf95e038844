"""The OpenAPI 3.1 document of the HTTP API, served at ``/openapi.json``.

The schemas are JSON Schema (draft 2020-12, as OpenAPI 3.1 uses): the tests validate the
app's real responses against them, so a change of response shape must change them too.
"""

from __future__ import annotations

import copy
from importlib.metadata import PackageNotFoundError, version

__all__ = ["openapi_document"]

_TONES = ["negative", "neutral", "positive"]


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}]}


def _obj(properties: dict, *, required: list[str] | None = None, extra: bool = False, **more) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": extra,
        **more,
    }


def _ok(description: str, schema: str) -> dict:
    return {
        "description": description,
        "headers": {"X-Request-ID": {"$ref": "#/components/headers/RequestId"}},
        "content": {"application/json": {"schema": _ref(schema)}},
    }


def _error(name: str) -> dict:
    return {"$ref": f"#/components/responses/{name}"}


def _error_response(description: str) -> dict:
    return {
        "description": description,
        "headers": {"X-Request-ID": {"$ref": "#/components/headers/RequestId"}},
        "content": {"application/json": {"schema": _ref("Error")}},
    }


_SCHEMAS: dict[str, dict] = {
    "Error": _obj(
        {
            "error": _obj(
                {
                    "code": {
                        "type": "string",
                        "description": "Stable machine-readable code: branch on it, not on the message.",
                        "enum": [
                            "invalid_json",
                            "invalid_type",
                            "invalid_value",
                            "invalid_text",
                            "invalid_input",
                            "unknown_field",
                            "missing_field",
                            "missing_input",
                            "ambiguous_input",
                            "empty_text",
                            "unknown_target",
                            "duplicate_id",
                            "bad_request",
                            "unauthorized",
                            "not_found",
                            "method_not_allowed",
                            "body_too_large",
                            "unsupported_media_type",
                            "too_many_sentences",
                            "too_many_documents",
                            "sentence_too_long",
                            "internal_error",
                            "not_ready",
                        ],
                    },
                    "message": {"type": "string", "description": "What went wrong and what to fix."},
                    "field": {
                        "type": ["string", "null"],
                        "description": "The offending part of the body, e.g. `documents[2].text`, or null.",
                    },
                }
            )
        }
    ),
    "Label": {"type": "string", "enum": _TONES},
    "Probabilities": _obj({tone: {"type": "number", "minimum": 0, "maximum": 1} for tone in _TONES}),
    "Tone": _obj(
        {
            "label": _ref("Label"),
            "score": {"type": "number", "minimum": -1, "maximum": 1, "description": "P(positive) - P(negative)."},
            "probabilities": _ref("Probabilities"),
        }
    ),
    "Mention": _obj(
        {
            "text": {"type": "string", "description": "The words as written."},
            "start": {"type": "integer", "minimum": 0, "description": "Offset in the document (characters)."},
            "end": {"type": "integer", "minimum": 0},
        }
    ),
    "Explanation": {
        "type": "object",
        "description": "Per tone, the n-grams that pushed the prediction toward it most, strongest first.",
        "propertyNames": {"enum": _TONES},
        "additionalProperties": {
            "type": "array",
            "items": _obj(
                {
                    "ngram": {"type": "string"},
                    "block": {"type": "string", "description": "Feature block: word, char, window or cues."},
                    "weight": {"type": "number"},
                }
            ),
        },
    },
    "TargetTone": _obj(
        {
            "mentioned": {"type": "boolean"},
            "mentions": {"type": "array", "items": _ref("Mention")},
            "label": _nullable(_ref("Label")),
            "score": {"type": ["number", "null"], "minimum": -1, "maximum": 1},
            "probabilities": _nullable(_ref("Probabilities")),
            "explanation": _ref("Explanation"),
        },
        required=["mentioned", "mentions", "label", "score", "probabilities"],
        description="Tone toward one target; label, score and probabilities are null when it is not mentioned. "
        "`explanation` is present with `explain: true` for mentioned targets.",
    ),
    "Sentence": _obj(
        {
            "index": {"type": "integer", "minimum": 0},
            "text": {"type": "string"},
            "start": {"type": "integer", "minimum": 0, "description": "Offset in the document (0 for `sentences`)."},
            "end": {"type": "integer", "minimum": 0},
            "duplicate_of": {
                "type": ["integer", "null"],
                "minimum": 0,
                "description": "Index of the first occurrence when the sentence repeats an earlier one.",
            },
            "sentiment": _ref("Tone"),
            "targets": {"type": "object", "additionalProperties": _ref("TargetTone")},
        }
    ),
    "Counts": _obj({tone: {"type": "integer", "minimum": 0} for tone in _TONES}),
    "Summary": _obj(
        {
            "sentences": {"type": "integer", "minimum": 0},
            "unique_sentences": {"type": "integer", "minimum": 0},
            "sentiment": _obj(
                {
                    "label": _nullable(_ref("Label")),
                    "score": {"type": ["number", "null"]},
                    "counts": _ref("Counts"),
                }
            ),
            "targets": {
                "type": "object",
                "additionalProperties": _obj(
                    {
                        "mentioned_in": {"type": "integer", "minimum": 0},
                        "label": _nullable(_ref("Label")),
                        "score": {"type": ["number", "null"]},
                        "counts": _ref("Counts"),
                    }
                ),
            },
        },
        description="Over unique sentences only (repeats are left out). `label` is the most frequent tone "
        "(a tie goes to the higher mean probability), `score` the mean signed score.",
    ),
    "ModelInfo": _obj(
        {
            "name": {"type": "string"},
            "version": {"type": "string", "description": "Prefix of the model file's SHA-256."},
            "created_at": {"type": "string", "description": "ISO 8601 time the model was trained."},
        }
    ),
    "Analysis": _obj(
        {
            "model": _ref("ModelInfo"),
            "sentences": {"type": "array", "items": _ref("Sentence")},
            "summary": _ref("Summary"),
        }
    ),
    "DocumentAnalysis": _obj(
        {
            "id": {"type": "string"},
            "sentences": {"type": "array", "items": _ref("Sentence")},
            "summary": _ref("Summary"),
        }
    ),
    "DocumentsAnalysis": _obj(
        {"model": _ref("ModelInfo"), "documents": {"type": "array", "items": _ref("DocumentAnalysis")}}
    ),
    "PredictResponse": {"oneOf": [_ref("Analysis"), _ref("DocumentsAnalysis")]},
    "Text": {
        "type": "string",
        "minLength": 1,
        "pattern": r"\S",
        "description": "Any Unicode text, not blank.",
    },
    "Targets": {
        "type": ["array", "null"],
        "minItems": 1,
        "items": {"type": "string"},
        "description": "Target keys or names, any case (see GET /v1/model). Omit or null for all.",
    },
    "Explain": {
        "type": ["boolean", "null"],
        "description": "true adds, per mentioned target, the n-grams that pushed most toward each tone.",
    },
    "TextRequest": _obj(
        {
            "text": {**_ref("Text"), "description": "One document, split into sentences."},
            "targets": _ref("Targets"),
            "explain": _ref("Explain"),
        },
        required=["text"],
    ),
    "SentencesRequest": _obj(
        {
            "sentences": {
                "type": "array",
                "minItems": 1,
                "items": _ref("Text"),
                "description": "Each string is one sentence (not split). At most MAX_SENTENCES.",
            },
            "targets": _ref("Targets"),
            "explain": _ref("Explain"),
        },
        required=["sentences"],
    ),
    "DocumentsRequest": _obj(
        {
            "documents": {
                "type": "array",
                "minItems": 1,
                "items": _obj(
                    {"id": {"type": "string", "minLength": 1, "maxLength": 256, "pattern": r"\S"}, "text": _ref("Text")}
                ),
                "description": "Documents with unique ids. At most MAX_DOCUMENTS, and MAX_SENTENCES in all.",
            },
            "targets": _ref("Targets"),
            "explain": _ref("Explain"),
        },
        required=["documents"],
    ),
    "PredictRequest": {
        "oneOf": [_ref("TextRequest"), _ref("SentencesRequest"), _ref("DocumentsRequest")],
        "description": "Exactly one of text, sentences or documents.",
    },
    "ModelDetails": _obj(
        {
            "name": {"type": "string"},
            "version": {"type": "string"},
            "created_at": {"type": "string"},
            "sha256": {"type": "string"},
            "targets": {
                "type": "object",
                "additionalProperties": _obj(
                    {
                        "name": {"type": "string"},
                        "aliases": {
                            "type": "object",
                            "description": "Aliases per language.",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        },
                        "capitalised": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "Aliases that count only with a capital initial.",
                        },
                    }
                ),
            },
            "labels": {"type": "array", "items": _ref("Label")},
            "metrics": {
                "type": "object",
                "description": "Metrics from the model card (cross_validation, test); empty when not measured.",
            },
            "versions": {
                "type": "object",
                "description": "Library versions the model was made with.",
                "additionalProperties": {"type": "string"},
            },
            "limits": _obj(
                {
                    "max_body_bytes": {"type": "integer"},
                    "max_sentences": {"type": "integer"},
                    "max_documents": {"type": "integer"},
                    "max_sentence_chars": {"type": "integer"},
                }
            ),
        }
    ),
    "Health": _obj({"status": {"const": "ok"}}),
    "Ready": _obj({"status": {"const": "ready"}, "model": _ref("ModelInfo")}),
}

_TEXT_EXAMPLE = (
    "La Russie est proche de la signature d'un contrat avec la Turquie. "
    "Cette vente à un pays membre de l'Otan symboliserait une nouvelle étape."
)

_REQUEST_ID_PARAMETER = {
    "name": "X-Request-ID",
    "in": "header",
    "required": False,
    "description": "Your id for this request (1-128 of A-Z a-z 0-9 . _ -), echoed back; else a new one.",
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,128}$"},
}

_PATHS = {
    "/v1/predict": {
        "post": {
            "operationId": "predict",
            "summary": "Score each sentence for sentiment and tone toward each target",
            "description": "Send exactly one of `text` (a document, split into sentences), `sentences` "
            "(each string one sentence) or `documents` (`{id, text}` objects). Sentences longer than "
            "MAX_SENTENCE_CHARS are refused with 422 `sentence_too_long`, never truncated.",
            "security": [{}, {"bearer": []}],
            "parameters": [_REQUEST_ID_PARAMETER],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": _ref("PredictRequest"),
                        "examples": {
                            "text": {"value": {"text": _TEXT_EXAMPLE}},
                            "sentences": {"value": {"sentences": ["Ankara a salué l'accord.", "NATO ministers met."]}},
                            "documents": {
                                "value": {
                                    "documents": [{"id": "a1", "text": _TEXT_EXAMPLE}],
                                    "targets": ["nato", "turkey"],
                                    "explain": True,
                                }
                            },
                        },
                    }
                },
            },
            "responses": {
                "200": _ok(
                    "An `Analysis` for `text` or `sentences`; a `DocumentsAnalysis` for `documents`.",
                    "PredictResponse",
                ),
                "400": _error("BadRequest"),
                "401": _error("Unauthorized"),
                "413": _error("PayloadTooLarge"),
                "415": _error("UnsupportedMediaType"),
                "422": _error("OverLimit"),
                "500": _error("InternalError"),
                "503": _error("NotReady"),
            },
        }
    },
    "/v1/model": {
        "get": {
            "operationId": "model",
            "summary": "Describe the served model",
            "security": [{}, {"bearer": []}],
            "parameters": [_REQUEST_ID_PARAMETER],
            "responses": {
                "200": _ok("Name, version, targets with aliases, labels, metrics, versions, limits.", "ModelDetails"),
                "401": _error("Unauthorized"),
                "500": _error("InternalError"),
                "503": _error("NotReady"),
            },
        }
    },
    "/v1/health": {
        "get": {
            "operationId": "health",
            "summary": "Liveness: the process is up (never needs the token)",
            "parameters": [_REQUEST_ID_PARAMETER],
            "responses": {"200": _ok("The process is up.", "Health"), "500": _error("InternalError")},
        }
    },
    "/v1/ready": {
        "get": {
            "operationId": "ready",
            "summary": "Readiness: a model is loaded (never needs the token)",
            "parameters": [_REQUEST_ID_PARAMETER],
            "responses": {
                "200": _ok("A model is loaded and which one.", "Ready"),
                "500": _error("InternalError"),
                "503": _error("NotReady"),
            },
        }
    },
    "/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This document",
            "parameters": [_REQUEST_ID_PARAMETER],
            "responses": {
                "200": {"description": "The OpenAPI 3.1 document.", "content": {"application/json": {}}},
                "500": _error("InternalError"),
            },
        }
    },
}

_RESPONSES = {
    "BadRequest": _error_response(
        "Malformed JSON, not an object, an unknown field, no input or more than one, a wrong type, "
        "blank text, an unknown target or a duplicate document id."
    ),
    "Unauthorized": {
        **_error_response("The server has a token (STANCE_API_TOKEN) and the request has no or another one."),
        "headers": {
            "X-Request-ID": {"$ref": "#/components/headers/RequestId"},
            "WWW-Authenticate": {"schema": {"type": "string"}},
        },
    },
    "PayloadTooLarge": _error_response("The body is larger than MAX_CONTENT_LENGTH (default 1 MiB)."),
    "UnsupportedMediaType": _error_response("The body is not sent as Content-Type: application/json."),
    "OverLimit": _error_response(
        "More sentences (MAX_SENTENCES) or documents (MAX_DOCUMENTS) than allowed, or a sentence longer "
        "than MAX_SENTENCE_CHARS."
    ),
    "InternalError": _error_response("An unexpected failure; logged on the server with the request id."),
    "NotReady": _error_response("No model is loaded."),
}


def _package_version() -> str:
    try:
        return version("stance")
    except PackageNotFoundError:
        return "0"


def openapi_document() -> dict:
    """Return the OpenAPI 3.1 document describing every endpoint, body and error."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "stance",
            "version": _package_version(),
            "summary": "Sentence-by-sentence tone toward NATO, Russia and Turkey in French and English news.",
            "description": 'Errors are JSON `{"error": {"code", "message", "field"}}`; 404 and 405 too. '
            "Every response carries `X-Request-ID`.",
        },
        "paths": copy.deepcopy(_PATHS),
        "components": {
            "schemas": copy.deepcopy(_SCHEMAS),
            "responses": copy.deepcopy(_RESPONSES),
            "headers": {
                "RequestId": {
                    "description": "The client's X-Request-ID if it was sane, else a new uuid4 hex.",
                    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,128}$"},
                }
            },
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Needed by /v1/predict and /v1/model only when the server sets STANCE_API_TOKEN.",
                }
            },
        },
    }
