"""One error format for the whole API: {"error": {"code", "message", "detail"}}."""

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    code = getattr(exc, "default_code", "error")
    if isinstance(detail, dict) and set(detail) == {"detail"}:
        message = str(detail["detail"])
        code = getattr(detail["detail"], "code", code)
        detail = None
    else:
        message = "The request is not valid." if response.status_code == 400 else str(exc)
    response.data = {"error": {"code": code, "message": message, "detail": detail}}
    return response
