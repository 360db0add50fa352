"""Import jobs over the API: upload a file (202, the worker imports it), then poll the job."""

import json

from django.db import transaction
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from influencers.forms import check_as_of, check_not_empty, check_upload_sizes
from influencers.import_views import error_report_response
from influencers.importing.aliases import MAPPING_TARGETS
from influencers.models import ImportFormat, ImportJob, ImportRowError, ImportStatus, Platform
from influencers.services.imports import import_job_create, import_job_enqueue

ERRORS_IN_DETAIL = 100


class FileTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "file_too_large"
    default_detail = "The file is too large."


class CSVRenderer(BaseRenderer):
    """Lets a client ask for ``text/csv``; the CSV itself is streamed by the view."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only an error (401, 404…) is ever rendered here: keep the API's JSON error body.
        return json.dumps(data).encode()


class ImportRowErrorSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportRowError
        fields = ["line", "column", "value", "reason", "severity"]


class ImportJobCountsSerializer(serializers.Serializer):
    rows_read = serializers.IntegerField(read_only=True)
    created = serializers.IntegerField(source="rows_created", read_only=True)
    updated = serializers.IntegerField(source="rows_updated", read_only=True)
    unchanged = serializers.IntegerField(source="rows_unchanged", read_only=True)
    rejected = serializers.IntegerField(source="rows_rejected", read_only=True)
    accounts_created = serializers.IntegerField(read_only=True)
    accounts_changed = serializers.IntegerField(read_only=True)


class ImportJobSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-import-detail")
    page_url = serializers.SerializerMethodField(help_text="The job's page in the web app.")
    handle = serializers.CharField(source="account_handle", read_only=True)
    dry_run = serializers.BooleanField(source="is_dry_run", read_only=True)
    progress = serializers.FloatField(read_only=True, help_text="0–1.")
    counts = ImportJobCountsSerializer(source="*", read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "url",
            "page_url",
            "status",
            "progress",
            "progress_message",
            "original_name",
            "source",
            "format",
            "platform",
            "as_of",
            "handle",
            "dry_run",
            "counts",
            "failure_reason",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, job):
        path = reverse("import-detail", kwargs={"pk": job.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ImportJobDetailSerializer(ImportJobSerializer):
    errors = serializers.SerializerMethodField(
        help_text=f"The first {ERRORS_IN_DETAIL} rejected rows and dropped values, in file order."
    )
    errors_total = serializers.SerializerMethodField()
    errors_csv_url = serializers.SerializerMethodField(help_text="Every error, as CSV.")

    class Meta(ImportJobSerializer.Meta):
        fields = [*ImportJobSerializer.Meta.fields, "errors", "errors_total", "errors_csv_url"]
        read_only_fields = fields

    @extend_schema_field(ImportRowErrorSerializer(many=True))
    def get_errors(self, job):
        rows = job.row_errors.order_by("line", "id")[:ERRORS_IN_DETAIL]
        return ImportRowErrorSerializer(rows, many=True).data

    @extend_schema_field(OpenApiTypes.INT)
    def get_errors_total(self, job):
        return job.row_errors.count()

    @extend_schema_field(OpenApiTypes.URI)
    def get_errors_csv_url(self, job):
        path = reverse("api-import-errors", kwargs={"pk": job.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ImportJobCreateSerializer(serializers.Serializer):
    file = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),  # refused below, by name
        allow_empty=False,
        error_messages={"required": "No file was submitted.", "empty": "No file was submitted."},
        help_text="CSV, TSV, XLSX, the Fourscore CSV template, or a recorded API export "
        "(JSON). Repeat the part for the several files of one API export (a profile and its "
        "media pages, channels.list and videos.list, TikTok user info and video query), or "
        "send one .zip of them: they are imported together, as one job.",
    )
    source = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="Where the numbers come from (default: the API for API exports, e.g. "
        "`YouTube Data API`, else the file name); a mapping saved for this source is reused "
        "when `mapping` is not given.",
    )
    format = serializers.ChoiceField(
        choices=ImportFormat.choices, required=False, allow_blank=True, default=""
    )
    platform = serializers.ChoiceField(
        choices=Platform.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="For files without a platform column.",
    )
    as_of = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="For rows without a date."
    )
    handle = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="The account of an API export that does not name it (TikTok Research API).",
    )
    mapping = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text='A JSON object: header → mapping target, or null for "not imported", e.g. '
        '{"Subscribers": "followers", "Rank": null}. Headers left out keep the detected '
        f"mapping. Targets: {', '.join(MAPPING_TARGETS)}.",
    )
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="Read and check everything, save nothing."
    )

    def validate_file(self, uploads):
        refusal = check_upload_sizes(uploads)
        if refusal:
            raise FileTooLarge(refusal)
        empty = check_not_empty(uploads)
        if empty:
            raise serializers.ValidationError(empty)
        return uploads

    def validate_as_of(self, value):
        problem = check_as_of(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value

    def validate_mapping(self, text):
        if not text.strip():
            return {}
        try:
            mapping = json.loads(text)
        except json.JSONDecodeError as error:
            raise serializers.ValidationError(f"Not valid JSON: {error.msg}.") from error
        if not isinstance(mapping, dict):
            raise serializers.ValidationError("A JSON object is expected: header → target.")
        for header, target in mapping.items():
            if target is not None and target not in MAPPING_TARGETS:
                raise serializers.ValidationError(
                    f"{target!r} (for {header!r}) is not a mapping target; use one of "
                    f"{', '.join(MAPPING_TARGETS)}, or null."
                )
        return mapping


class ImportJobPagination(CursorPagination):
    # The id is indexed, unique and never changes: a stable cursor, newest first.
    ordering = "-id"
    page_size = 50


@extend_schema(tags=["imports"])
class ImportJobViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Import jobs of the requester (staff: everyone's)."""

    serializer_class = ImportJobSerializer
    pagination_class = ImportJobPagination
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["status"]
    throttle_scope = "expensive"

    def get_queryset(self):
        return ImportJob.objects.visible_to(self.request.user).order_by("-id")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ImportJobDetailSerializer
        if self.action == "create":
            return ImportJobCreateSerializer
        return ImportJobSerializer

    def get_throttles(self):
        # Uploads are the expensive call; reading jobs (polling them) is not throttled.
        return [ScopedRateThrottle()] if self.action == "create" else []

    @extend_schema(
        operation_id="imports_list",
        summary="The requester's import jobs, newest first.",
        description="Staff see every import; other users their own.",
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        operation_id="imports_retrieve",
        summary="One import job: status, progress, counts and its first errors.",
        description="Poll it until `status` is `succeeded` or `failed`.",
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        operation_id="imports_create",
        summary="Upload a file (or the files of one API export) to import; the worker imports it.",
        description="Multipart upload. The answer (202) is the queued job: poll its `url`. "
        "Throttled (scope `expensive`).",
        request={"multipart/form-data": ImportJobCreateSerializer},
        responses={
            202: ImportJobSerializer,
            400: OpenApiResponse(description="A field is not valid (see error.detail)."),
            413: OpenApiResponse(description="The file is over the upload limit."),
        },
    )
    def create(self, request, *args, **kwargs):
        incoming = ImportJobCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        with transaction.atomic():
            job = import_job_create(
                files=[(uploaded.name, uploaded) for uploaded in data["file"]],
                source=data["source"],
                created_by=request.user,
                format=data["format"],
                platform=data["platform"],
                as_of=data["as_of"],
                mapping=data["mapping"] or None,
                account_handle=data["handle"],
                is_dry_run=data["dry_run"],
                status=ImportStatus.QUEUED,
            )
            import_job_enqueue(job)
        body = ImportJobSerializer(job, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})

    @extend_schema(
        operation_id="imports_errors_csv",
        summary="Every error of an import job, as CSV (formula-safe for spreadsheets).",
        description="Columns: line, column, value, reason, severity.",
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="errors",
        url_name="errors",
        renderer_classes=[JSONRenderer, CSVRenderer],
        pagination_class=None,
    )
    def errors_csv(self, request, pk=None):
        return error_report_response(self.get_object())
