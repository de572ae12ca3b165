"""The OpenAPI schema documents the API's contract as it is kept (tests/api/test_schema_fuzz.py).

A postprocessing hook of drf-spectacular:
- each operation gets 400, 401, 403 and 404 (and 409 for writes) with the `Error` schema
  (api.exceptions) unless the view documented its own content (e.g. 409 with `current`);
- the request requirements the serializers state in code (a PATCH's `version`, an upload's files);
- optional query parameters are `allowEmptyValue`: `?task=` means "no filter", as an HTML form
  sends it.
"""

from __future__ import annotations

ERROR = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "错误说明(中文)"},
        "code": {
            "type": "string",
            "description": "invalid、parse_error、not_authenticated、authentication_failed、permission_denied、"
            "not_found、conflict、locked、state",
        },
        "fields": {
            "type": "object",
            "additionalProperties": {"description": "该字段的中文提示(列表);列表字段逐项给出(对象)"},
            "description": "仅 400 (code=invalid):按字段给出的中文提示",
        },
        "current": {"type": "object", "description": "仅 409 (code=conflict):报送的当前内容"},
    },
    "required": ["detail", "code"],
}
DESCRIPTIONS = {
    "400": "输入有误:detail 为第一条提示,fields 按字段给出中文提示",
    "401": "未登录,或令牌无效",
    "403": "无权进行此操作(什么也没有改变)",
    "404": "没有这个对象,或不在您的范围内",
    "409": "当前状态不允许此操作:code=conflict 版本已过期(current 为当前内容);locked 已审核通过或周期已关闭;"
    "state 如已有未办结的督办",
}
WRITES = {"post", "put", "patch", "delete"}


def document_errors(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    # What drf-spectacular cannot see: a PATCH still needs the version read (409 otherwise), and an
    # upload at least one file.
    if "PatchedReportPatchRequest" in schemas:
        schemas["PatchedReportPatchRequest"]["required"] = ["version"]
    if "AttachmentUploadRequest" in schemas:
        schemas["AttachmentUploadRequest"]["properties"]["files"]["minItems"] = 1
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
            codes = ["400", "401", "403", "404"] + (["409"] if method in WRITES else [])
            responses = operation.setdefault("responses", {})
            for code in codes:
                documented = responses.get(code)
                if documented is None or "content" not in documented:
                    responses[code] = {"description": (documented or {}).get("description") or DESCRIPTIONS[code],
                                       "content": ref}
    return result
