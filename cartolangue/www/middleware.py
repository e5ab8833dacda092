"""Refuse request parameters that no database column can hold (PostgreSQL rejects NUL bytes in text, which
would otherwise surface as a server error deep in a query). The API answers 422 naming the parameter, like
its other validation errors; pages answer 400."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class RejectNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for source, params in (("query", request.GET), ("body", request.POST if request.method == "POST" else {})):
            for name in params:
                if "\x00" in name or any("\x00" in value for value in params.getlist(name)):
                    message = _("caractère nul interdit")
                    if request.path.startswith("/api/"):
                        detail = [{"loc": [source, name.replace("\x00", "")], "msg": message, "type": "value_error"}]
                        return JsonResponse({"detail": detail}, status=422)
                    text = _("Requête invalide : %(param)s – %(message)s") % {
                        "param": name.replace("\x00", ""),
                        "message": message,
                    }
                    return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
