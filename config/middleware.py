from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from rest_framework.views import APIView


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Django's login-required-by-default middleware, minus the API.

    API views authenticate with session *or token* inside DRF and answer 401/403 in the
    API's error format; a redirect to an HTML login page would be wrong for them. DRF's
    default permission (IsAuthenticated) keeps them closed.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "cls", None)
        if view_class is not None and issubclass(view_class, APIView):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
