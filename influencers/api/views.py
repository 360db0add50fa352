from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from influencers.selectors import database_overview

from .serializers import DatabaseOverviewSerializer


class OverviewView(APIView):
    """What is in the database: the numbers of the home page."""

    @extend_schema(responses=DatabaseOverviewSerializer, operation_id="overview_retrieve")
    def get(self, request):
        overview = database_overview(user=request.user)
        return Response(DatabaseOverviewSerializer(overview).data)
