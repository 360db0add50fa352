"""The explanation: every input and intermediate value of a score, in a marketer's words.

Built a column at a time (see ``formatting``), one sentence group per component, each
falling back to a sentence saying what is unknown and why. Rows are explained in slices so
that the temporary strings of a million-row run stay small.
"""

from __future__ import annotations

import dataclasses
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scoring.engine import formatting as fmt
from scoring.engine.benchmarks import BASIS_PLATFORM, BASIS_TIER
from scoring.engine.components import COMPONENT_NAMES, REACH_FROM_VIEWS
from scoring.engine.engagement import (
    SOURCE_COUNTS_PER_FOLLOWER,
    SOURCE_COUNTS_PER_VIEW,
)
from scoring.engine.inputs import PLATFORM_LABELS
from scoring.engine.profile import ENGAGEMENT_TIERS, FOLLOWER_TIERS
from scoring.engine.value import (
    PRICE_CONVERTED,
    PRICE_IN_REFERENCE,
    PRICE_WITHOUT_CURRENCY,
    PRICE_WITHOUT_RATE,
)

if TYPE_CHECKING:
    from scoring.engine.score import Computation

SLICE_ROWS = 100_000


def build_explanation(result: Computation) -> pa.ChunkedArray:
    size = result.accounts.size
    chunks = [
        _Explainer(_sliced(result, start, min(start + SLICE_ROWS, size))).text()
        for start in range(0, size, SLICE_ROWS)
    ]
    return pa.chunked_array(chunks, type=pa.string())


def _sliced(value: Any, start: int, stop: int) -> Any:
    """Every per-account array inside ``value`` cut to rows start..stop."""
    if isinstance(value, np.ndarray):
        return value[start:stop]
    if isinstance(value, pa.Array):
        return value.slice(start, stop - start)
    if isinstance(value, pd.DataFrame):
        return value.iloc[start:stop]
    if isinstance(value, dict):
        return {key: _sliced(item, start, stop) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if value.__dataclass_params__.frozen:  # profiles and targets hold no per-row data
            return value
        changes = {
            item.name: _sliced(getattr(value, item.name), start, stop)
            for item in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changes)
    return value


def _number(value: float) -> str:
    """A profile constant in the text: ``1,000``, ``0.67``, ``2``."""
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0")


class _Explainer:
    def __init__(self, result: Computation) -> None:
        self.result = result
        self.profile = result.profile
        self.accounts = result.accounts

    def text(self) -> pa.Array:
        sections = [
            self.engagement(),
            self.reach(),
            self.resonance(),
            self.relevance(),
            self.relationship(),
            self.total(),
            self.value(),
        ]
        return pc.binary_join_element_wise(*sections, " ")

    # Formatted inputs used by several sections.
    @cached_property
    def likes(self) -> pa.Array:
        return fmt.integer(self.accounts.likes)

    @cached_property
    def comments(self) -> pa.Array:
        return fmt.integer(self.accounts.comments)

    @cached_property
    def views(self) -> pa.Array:
        return fmt.integer(self.accounts.views)

    @cached_property
    def platform(self) -> pa.Array:
        platforms = self.accounts.platforms
        names = [PLATFORM_LABELS.get(name, name or "unknown-platform") for name in platforms]
        return fmt.labels(self.accounts.platform_codes, names)

    @cached_property
    def tier(self) -> pa.Array:
        return fmt.labels(self.result.follower_tier, FOLLOWER_TIERS)

    @cached_property
    def percentile(self) -> pa.Array:
        return fmt.ordinal(self.result.percentile)

    def engagement(self) -> pa.Array:
        accounts, rates = self.accounts, self.result.rates
        counts = fmt.join(
            [
                fmt.concat(self.likes, " likes"),
                fmt.concat(self.comments, " comments"),
                fmt.concat(fmt.integer(accounts.shares), " shares"),
                fmt.concat(fmt.integer(accounts.saves), " saves"),
            ],
            " + ",
        )
        source = rates.source
        by_counts = (source == SOURCE_COUNTS_PER_FOLLOWER) | (source == SOURCE_COUNTS_PER_VIEW)
        denominator = fmt.when(
            source == SOURCE_COUNTS_PER_VIEW,
            fmt.concat(self.views, " average views; followers unknown)"),
            fmt.concat(fmt.integer(accounts.followers), " followers)"),
        )
        how = fmt.when(
            by_counts,
            fmt.concat(" ((", counts, ") / ", denominator),
            " (as reported by the export)",
        )
        per_view = fmt.when(
            source != SOURCE_COUNTS_PER_VIEW,
            fmt.concat("; ", fmt.percent(rates.per_view), " of ", self.views, " average views"),
        )
        of_what = fmt.when(rates.denominator_code == 1, " of views", " of followers")
        sentence = fmt.first_known(
            fmt.concat(
                "Engagement rate ",
                fmt.percent(rates.rate),
                of_what,
                how,
                fmt.first_known(per_view, ""),
            ),
            "Engagement rate unknown (needs likes, comments, shares or saves and followers)",
        )
        return fmt.concat(sentence, self._comparison(), self._suspicious())

    def _comparison(self) -> pa.Array:
        result, rates = self.result, self.result.rates
        minimum = str(self.profile.engagement_tiers.minimum_peers)
        grade = fmt.labels(result.engagement_tier, ENGAGEMENT_TIERS)
        peers = fmt.when(
            result.rate_basis == BASIS_TIER,
            fmt.concat(self.platform, " ", self.tier, " accounts (", grade, ")."),
            fmt.concat(
                "all ",
                self.platform,
                " accounts (",
                grade,
                fmt.first_known(
                    fmt.concat("; fewer than ", minimum, " ", self.tier, " accounts to compare"),
                    "",
                ),
                ").",
            ),
        )
        has_percentile = ~np.isnan(result.percentile)
        comparison = fmt.when(
            rates.denominator_code == 0,
            fmt.concat(
                " — not compared (fewer than ",
                minimum,
                " ",
                self.platform,
                " accounts with a rate per follower).",
            ),
            ".",
        )
        comparison = fmt.when(
            rates.denominator_code == 1,
            " — not compared (peers are compared per follower).",
            comparison,
        )
        return fmt.when(
            has_percentile, fmt.concat(" — ", self.percentile, " percentile of ", peers), comparison
        )

    def _suspicious(self) -> pa.Array | pa.Scalar:
        result, flags, rules = self.result, self.result.flags, self.profile.suspicious
        if not result.is_suspicious.any():
            return pa.scalar("")
        reasons = [
            fmt.when(
                flags.far_above_peers,
                fmt.concat(
                    f"rate above {_number(rules.top_percentile_factor)}× the peers' 99th "
                    "percentile (",
                    fmt.percent(result.peer_p99),
                    ")",
                ),
            ),
            fmt.when(
                flags.likes_without_comments,
                fmt.concat(self.likes, " likes but only ", self.comments, " comments"),
            ),
            fmt.when(flags.above_followers, "more engagements per post than followers"),
            fmt.when(flags.above_views, "more engagements than views"),
            fmt.when(
                flags.low_credibility,
                fmt.concat(
                    "audience credibility ",
                    fmt.percent(self.accounts.credibility, 0),
                    f" (below {_number(rules.minimum_audience_credibility * 100)} %)",
                ),
            ),
        ]
        text = fmt.concat(" Suspicious: ", fmt.join(reasons, "; "), ".")
        return fmt.when(result.is_suspicious, text, "")

    def reach(self) -> pa.Array:
        reach = self.result.reach
        basis = fmt.when(
            reach.basis_code == REACH_FROM_VIEWS,
            fmt.concat(fmt.integer(reach.basis_value), " average views (followers unknown)"),
            fmt.concat(fmt.integer(reach.basis_value), " followers"),
        )
        sentence = fmt.concat(
            "Reach ",
            fmt.integer(reach.score),
            "/100: log scale of ",
            basis,
            " from ",
            fmt.integer(reach.floor),
            " (0) to ",
            fmt.integer(reach.ceiling),
            " (100).",
        )
        return fmt.when(reach.basis_code >= 0, sentence, "Reach unknown: no follower count.")

    def resonance(self) -> pa.Array:
        resonance, settings = self.result.resonance, self.profile.resonance
        conversation = fmt.first_known(
            fmt.concat(
                ", ",
                fmt.signed(resonance.conversation_adjustment),
                " for conversation (comments ",
                fmt.percent(resonance.comment_share),
                f" of likes + comments, reference {settings.reference_comment_share * 100:.2f} %)",
            ),
            ", no conversation adjustment (likes or comments unknown)",
        )
        credibility = fmt.first_known(
            fmt.concat(
                ", ",
                fmt.signed(resonance.credibility_adjustment),
                " for audience credibility ",
                fmt.percent(self.accounts.credibility, 0),
                f" (reference {_number(settings.reference_credibility * 100)} %)",
            ),
            ", audience credibility unknown",
        )
        sentence = fmt.concat(
            "Resonance ",
            fmt.integer(resonance.score),
            "/100: ",
            self.percentile,
            " percentile",
            conversation,
            credibility,
            ".",
        )
        return fmt.first_known(sentence, "Resonance unknown: no engagement-rate percentile.")

    def relevance(self) -> pa.Array | pa.Scalar:
        target, relevance = self.result.target, self.result.relevance
        if target is None:
            return pa.scalar("Relevance not scored: no target.")
        parts = []
        if target.categories or target.keywords:
            full_match = _number(self.profile.relevance.full_match_similarity)
            matching = fmt.when(
                pc.fill_null(pc.equal(relevance.matched_terms, ""), True),
                "no shared words",
                fmt.concat("matching: ", relevance.matched_terms),
            )
            text = fmt.concat(
                "text similarity ",
                fmt.fixed(relevance.text_similarity, 2),
                f" to the target's categories and keywords (full match at {full_match}; ",
                matching,
                ")",
            )
            parts.append(fmt.first_known(text, "no categories or bio to compare"))
        for name, values, wanted, matches in (
            ("country", relevance.country, target.country_codes, relevance.country_match),
            ("language", relevance.language, target.language_codes, relevance.language_match),
        ):
            if wanted:
                yes = fmt.concat(f"{name} ", values, " matches")
                no = fmt.concat(f"{name} ", values, f" is not among {', '.join(wanted)}")
                parts.append(
                    fmt.when(matches == 1, yes, fmt.when(matches == 0, no, f"{name} unknown"))
                )
        if target.platform_names:
            no = fmt.concat(self.platform, f" is not among {', '.join(target.platform_names)}")
            parts.append(fmt.when(relevance.platform_match == 1, "platform matches", no))
        sentence = fmt.concat(
            "Relevance ", fmt.integer(relevance.score), "/100: ", fmt.join(parts, ", "), "."
        )
        return fmt.first_known(
            sentence, "Relevance unknown: no categories, bio, country or language to compare."
        )

    def relationship(self) -> pa.Array:
        relation = self.result.relationship
        if not relation.has_row.any():
            return pa.scalar("Relationship not scored: no relationship with this brand.")
        stage = pa.array(relation.stage.astype(str), pa.string())
        advocate = fmt.when(
            relation.advocate_points > 0,
            fmt.concat(", advocate ", fmt.signed(relation.advocate_points, 0)),
            "",
        )
        declines = fmt.when(
            relation.declined > 0,
            fmt.concat(
                ", ",
                fmt.integer(relation.declined),
                " declined ",
                fmt.signed(-relation.decline_points),
            ),
            "",
        )
        recency = fmt.first_known(
            fmt.concat(
                "; events × ",
                fmt.fixed(relation.recency, 2),
                " (last ",
                fmt.integer(relation.days_since_event),
                " days ago)",
            ),
            "; no event date",
        )
        sentence = fmt.concat(
            "Relationship ",
            fmt.integer(relation.score),
            "/100: stage ",
            stage,
            " ",
            fmt.signed(relation.stage_points, 0),
            advocate,
            ", ",
            fmt.integer(relation.delivered),
            " delivered, ",
            fmt.integer(relation.collaborated),
            " collaborated ",
            fmt.signed(relation.event_points),
            ", ",
            fmt.integer(relation.replied),
            " replies to ",
            fmt.integer(relation.contacted),
            " contacts ",
            fmt.signed(relation.responsiveness_points),
            declines,
            recency,
            ".",
        )
        return fmt.when(
            relation.has_row, sentence, "Relationship not scored: no relationship with this brand."
        )

    def total(self) -> pa.Array:
        result, total, weights = self.result, self.result.total, self.profile.weights
        terms = [
            fmt.concat(
                f"{name} ", fmt.integer(result.components[name]), f" × {getattr(weights, name):.2f}"
            )
            for name in COMPONENT_NAMES
        ]
        sentence = fmt.first_known(
            fmt.concat(
                "Total ",
                fmt.integer(total.score),
                "/100 = (",
                fmt.join(terms, " + "),
                ") / ",
                fmt.fixed(total.present_weight, 2),
                ".",
            ),
            "Total unknown: no component has data.",
        )
        staleness = fmt.first_known(
            fmt.concat(" for metrics ", fmt.integer(total.age_days), " days old"),
            " for an unknown metrics date",
        )
        suspicious = fmt.when(
            result.is_suspicious,
            f" × {_number(self.profile.suspicious.confidence_factor)} for the suspicious flag",
            "",
        )
        return fmt.concat(
            sentence,
            " Confidence ",
            fmt.fixed(total.confidence, 2),
            " = ",
            fmt.fixed(total.data_share, 2),
            " of the weight with data × ",
            fmt.fixed(total.staleness_factor, 2),
            staleness,
            suspicious,
            ".",
        )

    def value(self) -> pa.Array:
        result, value, settings = self.result, self.result.value, self.profile.fair_price
        reference = self.profile.reference_currency
        peers = fmt.when(
            result.price_basis == BASIS_PLATFORM,
            fmt.concat("all ", self.platform),
            fmt.concat(self.platform, " ", self.tier),
        )
        fair = fmt.first_known(
            fmt.concat(
                "; fair price ",
                fmt.fixed(value.fair_price_low, 2),
                "–",
                fmt.fixed(value.fair_price_high, 2),
                f" {reference} (",
                peers,
                " median ",
                fmt.fixed(value.peer_median_cpe, 3),
                f" {reference} per engagement × ",
                f"{_number(settings.low_factor)}–{_number(settings.high_factor)})",
                fmt.when(value.is_overpriced, " — overpriced", ""),
            ),
            f"; no fair price (fewer than {settings.minimum_peers} priced peers)",
        )
        sentence = fmt.concat(
            "Expected ",
            fmt.integer(value.expected_engagements),
            " engagements per post",
            self._price(),
            fair,
            ".",
        )
        return fmt.first_known(sentence, "Expected engagements unknown.")

    def _price(self) -> pa.Array:
        """The price as given, in the reference currency and the rate used, or why a price
        does not count (no currency, no exchange rate)."""
        value, prices = self.result.value, self.result.value.prices
        reference = self.profile.reference_currency
        given = fmt.fixed(prices.given, 2)
        currency = fmt.labels(prices.currency_codes, self.accounts.price_currencies)
        cost = fmt.first_known(
            fmt.concat(
                " = ", fmt.fixed(value.cost_per_engagement, 3), f" {reference} per engagement"
            ),
            "",
        )

        def converted() -> pa.Array:
            # Units of the account's currency per reference unit, trailing zeros dropped.
            rate = pc.replace_substring_regex(
                fmt.fixed(prices.units_per_reference, 6), pattern=r"\.?0+$", replacement=""
            )
            return fmt.concat(
                "; price ",
                given,
                " ",
                currency,
                " (",
                fmt.fixed(prices.converted, 2),
                f" {reference} at ",
                rate,
                " ",
                currency,
                f" per {reference})",
                cost,
            )

        texts = {
            PRICE_IN_REFERENCE: lambda: fmt.concat("; price ", given, f" {reference}", cost),
            PRICE_CONVERTED: converted,
            PRICE_WITHOUT_RATE: lambda: fmt.concat(
                "; price ",
                given,
                " ",
                currency,
                f": no exchange rate to {reference}, cost per engagement not computed",
            ),
            PRICE_WITHOUT_CURRENCY: lambda: fmt.concat(
                "; price ", given, " in an unknown currency: cost per engagement not computed"
            ),
        }
        text: pa.Array | str = "; price unknown"
        for status, build in texts.items():
            applies = prices.status == status
            if applies.any():  # a whole branch costs as much as the rows it is built for
                text = fmt.when(applies, build(), text)
        return text
