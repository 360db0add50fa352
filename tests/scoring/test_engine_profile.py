"""Profiles: presets, JSON round trip, validation and fingerprints."""

import dataclasses
import json

import pytest

from scoring.engine import PRESETS, Profile, profile_from_dict
from scoring.engine.profile import FollowerTiers, Weights


def test_presets_name_the_default_the_seed_tiers_and_the_campaign_goals():
    assert list(PRESETS) == ["default", "micro-5k-20k", "awareness", "engagement", "conversions"]
    assert PRESETS["default"] == Profile(name="default", description=PRESETS["default"].description)
    default_tiers = PRESETS["default"].follower_tiers
    seed_tiers = PRESETS["micro-5k-20k"].follower_tiers
    assert (default_tiers.micro, default_tiers.mid) == (10_000, 50_000)
    assert (seed_tiers.micro, seed_tiers.mid) == (5_000, 20_000)


def test_goal_presets_lean_on_their_components():
    awareness = PRESETS["awareness"].weights
    conversions = PRESETS["conversions"].weights
    engagement = PRESETS["engagement"].weights

    assert awareness.reach == max(dataclasses.astuple(awareness))
    assert engagement.resonance == max(dataclasses.astuple(engagement))
    assert conversions.resonance + conversions.relevance > awareness.resonance + awareness.relevance


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_survives_a_json_round_trip(name):
    profile = PRESETS[name]

    stored = json.loads(json.dumps(profile.to_dict()))

    assert profile_from_dict(stored) == profile
    assert profile_from_dict(stored).fingerprint == profile.fingerprint


def test_to_dict_writes_platform_and_stage_tables_as_objects():
    data = PRESETS["default"].to_dict()

    assert data["weights"] == {
        "reach": 0.25,
        "relevance": 0.25,
        "resonance": 0.3,
        "relationship": 0.2,
    }
    assert data["reach"]["ceilings"] == {"twitch": 1e6, "blog": 1e6, "podcast": 1e6}
    assert data["relationship"]["stage_points"] == {
        "none": 0.0,
        "identified": 10.0,
        "engaged": 25.0,
        "active": 40.0,
        "ambassador": 60.0,
    }


def test_missing_keys_take_the_defaults_and_unknown_keys_fail():
    profile = profile_from_dict({"name": "mine", "weights": {"reach": 1.0}})

    assert profile.weights == Weights(reach=1.0)
    assert profile.follower_tiers == FollowerTiers()
    with pytest.raises(ValueError, match="unknown keys"):
        profile_from_dict({"weights": {"reech": 1.0}})


@pytest.mark.parametrize(
    "data",
    [
        {"weights": {"reach": -0.1}},
        {"weights": {"reach": 0, "relevance": 0, "resonance": 0, "relationship": 0}},
        {"follower_tiers": {"micro": 60_000}},
        {"engagement_tiers": {"average_from": 80.0}},
        {"reach": {"default_floor": 0.0}},
    ],
)
def test_invalid_profiles_are_refused(data):
    with pytest.raises(ValueError):
        profile_from_dict(data)


def test_the_fingerprint_changes_with_any_number():
    default = PRESETS["default"]
    tweaked = dataclasses.replace(default, weights=Weights(reach=0.26))

    assert len(default.fingerprint) == 16
    assert default.fingerprint != tweaked.fingerprint
    assert len({profile.fingerprint for profile in PRESETS.values()}) == len(PRESETS)


def test_profiles_are_hashable_values():
    assert hash(PRESETS["default"]) == hash(profile_from_dict(PRESETS["default"].to_dict()))
