from rest_framework import serializers


class PlatformTierRowSerializer(serializers.Serializer):
    platform = serializers.CharField()
    label = serializers.CharField()
    counts = serializers.ListField(child=serializers.IntegerField())
    total = serializers.IntegerField()


class DatabaseOverviewSerializer(serializers.Serializer):
    influencers = serializers.IntegerField()
    influencers_exact = serializers.BooleanField(help_text="False: a planner estimate.")
    accounts = serializers.IntegerField()
    snapshots = serializers.IntegerField()
    snapshots_exact = serializers.BooleanField()
    brands = serializers.IntegerField(help_text="Brands visible to the requester.")
    relationships = serializers.IntegerField()
    tiers = serializers.ListField(child=serializers.CharField())
    tier_totals = serializers.ListField(child=serializers.IntegerField())
    rows = PlatformTierRowSerializer(many=True)
