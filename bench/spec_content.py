"""The documents of the benchmark project: realistic contracts, models, targets, deployments, policies.

Each builder draws from a seeded random.Random and returns a GeneratedDoc
whose data follows DESIGN.md §2; the vocabularies below are what keeps the
documents looking like a real team's specs rather than filler.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from yaml_text import Flow, FlowSeq, Folded

__all__ = [
    "GeneratedDoc",
    "contract_document",
    "deployment_document",
    "model_document",
    "policy_documents",
    "target_document",
]

API = "modelspec/v1"


@dataclass(frozen=True)
class GeneratedDoc:
    """One generated document: its kind, name, data and comment lines keyed by dotted path."""

    kind: str
    name: str
    data: dict[str, Any]
    comments: dict[str, str] = field(default_factory=dict)


# (entity, dataset, boolean label, float label, purpose words)
_SUBJECTS = (
    ("customer", "activity", "churned", "next_quarter_revenue", "churn"),
    ("account", "payments", "defaulted", "loss_amount", "default"),
    ("transaction", "events", "is_fraud", "chargeback_amount", "fraud"),
    ("visitor", "sessions", "converted", "basket_value", "conversion"),
    ("order", "fulfilment", "late_delivery", "delivery_minutes", "eta"),
    ("listing", "prices", "price_changed", "optimal_price", "price"),
    ("ticket", "history", "escalated", "handling_minutes", "escalation"),
    ("merchant", "settlements", "disputed", "settlement_delay_hours", "dispute"),
)

# name, type, constraints, description
_FEATURES: tuple[tuple[str, str, dict[str, Any], str], ...] = (
    ("tenure_months", "integer", {"min": 0, "max": 600}, "Whole months since the first contract."),
    ("order_count_90d", "integer", {"min": 0, "max": 10000}, "Orders placed in the last 90 days."),
    ("days_since_last_order", "integer", {"min": 0, "max": 3650}, "Days since the latest order."),
    ("support_tickets_30d", "integer", {"min": 0, "max": 500}, "Support tickets opened in 30 days."),
    ("logins_30d", "integer", {"min": 0, "max": 10000}, "Logins in the last 30 days."),
    ("age_years", "integer", {"min": 18, "max": 120}, "Age at the snapshot date."),
    ("items_in_cart", "integer", {"min": 0, "max": 500}, "Items in the cart at checkout."),
    ("failed_payments_90d", "integer", {"min": 0, "max": 100}, "Declined payments in 90 days."),
    ("household_size", "integer", {"min": 1, "max": 20}, "People in the household, self-reported."),
    ("sessions_7d", "integer", {"min": 0, "max": 5000}, "Sessions in the last 7 days."),
    ("returns_90d", "integer", {"min": 0, "max": 1000}, "Items returned in the last 90 days."),
    ("monthly_charges", "float", {"min": 0.0}, "Billed amount of the last month, in EUR."),
    ("avg_session_minutes", "float", {"min": 0.0, "max": 1440.0}, "Mean session length."),
    ("total_spend_90d", "float", {"min": 0.0}, "Gross spend over 90 days, in EUR."),
    ("discount_rate", "float", {"min": 0.0, "max": 1.0}, "Share of list price given as discount."),
    ("credit_utilization", "float", {"min": 0.0, "max": 1.5}, "Balance over credit limit."),
    ("avg_basket_value", "float", {"min": 0.0}, "Mean order value, in EUR."),
    ("distance_km", "float", {"min": 0.0, "max": 20000.0}, "Distance from the nearest depot."),
    ("rating_avg", "float", {"min": 1.0, "max": 5.0}, "Mean review rating given."),
    ("page_load_ms", "float", {"min": 0.0}, "Median page load time seen."),
    ("plan", "string", {"allowed": ["basic", "plus", "pro"]}, "Subscription plan."),
    ("region", "string", {"allowed": ["emea", "amer", "apac"]}, "Sales region."),
    ("channel", "string", {"allowed": ["web", "mobile", "store", "partner"]}, "Acquisition channel."),
    ("device", "string", {"allowed": ["ios", "android", "desktop"]}, "Most used device."),
    ("payment_method", "string", {"allowed": ["card", "invoice", "paypal", "bank-transfer"]}, "Default payment method."),
    ("segment", "string", {"allowed": ["consumer", "smb", "enterprise"]}, "Commercial segment."),
    ("country_code", "string", {"pattern": "^[A-Z]{2}$", "min_length": 2, "max_length": 2}, "ISO 3166 country."),
    ("currency", "string", {"allowed": ["eur", "usd", "gbp"]}, "Billing currency."),
    ("loyalty_tier", "string", {"allowed": ["bronze", "silver", "gold"]}, "Loyalty programme tier."),
    ("is_active", "boolean", {}, "Logged in within 30 days."),
    ("has_promo", "boolean", {}, "A promotion applied at the snapshot."),
    ("email_opt_in", "boolean", {}, "Consented to marketing email."),
    ("autopay_enabled", "boolean", {}, "Pays by automatic debit."),
    ("is_business", "boolean", {}, "Registered as a business."),
)

_CLASSIFIERS = (
    ("sklearn.ensemble.RandomForestClassifier", lambda r: {"n_estimators": r.choice([100, 200, 400]), "max_depth": r.choice([6, 8, 12]), "random_state": 7}, {"max_depth": [4, 8, 12]}),
    ("sklearn.linear_model.LogisticRegression", lambda r: {"C": r.choice([0.1, 1.0, 10.0]), "max_iter": 1000}, {"C": [0.1, 1.0, 10.0]}),
    ("sklearn.ensemble.HistGradientBoostingClassifier", lambda r: {"learning_rate": r.choice([0.05, 0.1]), "max_iter": 200, "random_state": 7}, {"learning_rate": [0.03, 0.1, 0.3]}),
)
_REGRESSORS = (
    ("sklearn.ensemble.RandomForestRegressor", lambda r: {"n_estimators": r.choice([100, 300]), "max_depth": r.choice([8, 16]), "random_state": 7}, {"max_depth": [8, 16, 24]}),
    ("sklearn.linear_model.Ridge", lambda r: {"alpha": r.choice([0.5, 1.0, 5.0])}, {"alpha": [0.1, 1.0, 10.0]}),
    ("sklearn.ensemble.GradientBoostingRegressor", lambda r: {"n_estimators": 300, "learning_rate": 0.05, "random_state": 7}, {"max_depth": [2, 3, 4]}),
)

_ENVS = ("prod", "staging", "batch")
_REGIONS = ("eu-west", "eu-central", "us-east", "us-west", "ap-south", "ap-east")
_LICENSES = ("Proprietary", "Apache-2.0", "Internal-Use-Only")


def _semver(rng: random.Random) -> str:
    return f"{rng.randint(1, 4)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}"


def _mix(rng: random.Random, p_flow: float, values: dict[str, Any]) -> dict[str, Any]:
    """A small mapping, written inline with probability p_flow (real files mix both styles)."""
    return Flow(values) if rng.random() < p_flow else dict(values)


def _envelope(kind: str, metadata: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": API, "kind": kind, "metadata": metadata, "spec": spec}


def target_document(index: int) -> GeneratedDoc:
    """Targets cycle prod (kserve, protected), staging (kserve), batch (kubernetes) over regions."""
    env = _ENVS[index % 3]
    region = _REGIONS[(index // 3) % len(_REGIONS)]
    cell = index // (3 * len(_REGIONS))
    name = f"{env}-{region}" if cell == 0 else f"{env}-{region}-{cell + 1}"
    spec: dict[str, Any] = {
        "platform": "kubernetes" if env == "batch" else "kserve",
        "namespace": f"ml-{name}",
    }
    if env == "prod":
        spec["protected"] = True
    place = "namespace for scheduled scoring jobs" if env == "batch" else "KServe namespace"
    metadata = {
        "name": name,
        "owner": "ml-platform",
        "description": f"{env.capitalize()} {place} in {region}.",
        "labels": Flow(env=env, region=region),
    }
    return GeneratedDoc("Target", name, _envelope("Target", metadata, spec))


def _column(name: str, ctype: str, extra: dict[str, Any], description: str, rng: random.Random) -> dict[str, Any]:
    column: dict[str, Any] = {"name": name, "type": ctype}
    if rng.random() < 0.4:
        column["description"] = description
    if rng.random() < 0.5:
        column["required"] = True
    for key, value in extra.items():
        column[key] = FlowSeq(value) if isinstance(value, list) else value
    if ctype == "string" and rng.random() < 0.3:
        column["classification"] = "internal"
    return column


def contract_document(rng: random.Random, index: int, domain: str) -> GeneratedDoc:
    """A DataContract of 10-20 columns: an id, a date, two labels and features."""
    entity, dataset, bool_label, float_label, _ = _SUBJECTS[index % len(_SUBJECTS)]
    name = f"{domain}-{entity}-{dataset}-{index + 1}"
    features = rng.sample(_FEATURES, rng.randint(6, 16))
    columns: list[dict[str, Any]] = [
        {"name": f"{entity}_id", "type": "string", "description": f"Pseudonymous {entity} key.",
         "required": True, "unique": True, "classification": "pii"},
        {"name": "snapshot_date", "type": "date", "required": True},
    ]
    columns += [_column(*f, rng=rng) for f in features]
    columns.append({"name": bool_label, "type": "boolean", "required": True,
                    "description": "Label: the outcome observed 90 days after the snapshot."})
    columns.append({"name": float_label, "type": "float", "min": 0.0,
                    "description": "Label: the amount observed 90 days after the snapshot."})
    flow_columns = rng.random() < 0.1
    if flow_columns:
        columns = [Flow({k: v for k, v in c.items() if k != "description"}) for c in columns]
    fmt = rng.choice(["parquet", "parquet", "csv", "json"])
    source = (
        _mix(rng, 0.6, {"path": f"data/{domain}/{name}.{fmt}", "format": fmt})
        if rng.random() < 0.5
        else _mix(rng, 0.6, {"uri": f"s3://acme-{domain}-lake/{entity}/{dataset}/", "format": fmt})
    )
    spec: dict[str, Any] = {"version": _semver(rng), "source": source, "columns": columns}
    if rng.random() < 0.2:
        spec["strict"] = True
    spec["quality"] = {"row_count": _mix(rng, 0.7, {"min": rng.choice([1000, 5000, 20000])})}
    metadata = {
        "name": name,
        "owner": f"{domain}-data",
        "description": (
            f"Daily {entity} {dataset} snapshot, one row per {entity}, labelled with "
            f"outcomes 90 days later."
        ),
        "labels": Flow(domain=domain, tier=rng.choice(["gold", "silver"])),
    }
    comments = {"spec.version": "Semver: removing, renaming or narrowing a column is a major change."}
    return GeneratedDoc("DataContract", name, _envelope("DataContract", metadata, spec), comments)


def model_document(rng: random.Random, index: int, contract: GeneratedDoc) -> GeneratedDoc:
    """A Model trained on contract: features are columns of it, the target one of its labels."""
    meta = contract.data["metadata"]
    domain = meta["labels"]["domain"]
    columns = contract.data["spec"]["columns"]
    labels = columns[-2:]
    usable = [c["name"] for c in columns[2:-2]]
    task = "regression" if rng.random() < 0.25 else "classification"
    target = labels[1]["name"] if task == "regression" else labels[0]["name"]
    subject = next(s for s in _SUBJECTS if s[2] == labels[0]["name"])
    name = f"{domain}-{subject[4]}-{'regressor' if task == 'regression' else 'classifier'}-{index + 1}"
    features = rng.sample(usable, max(3, len(usable) - rng.randint(0, 4)))
    estimator, params, space = rng.choice(_REGRESSORS if task == "regression" else _CLASSIFIERS)
    training: dict[str, Any] = {
        "estimator": {"class": estimator, "params": _mix(rng, 0.5, params(rng))},
        "preprocessing": _mix(rng, 0.4, {"numeric": rng.choice(["standard", "minmax"]), "categorical": "onehot"}),
        "split": _mix(rng, 0.4, {"test_size": 0.2, "seed": index % 97, "stratify": task == "classification"}),
    }
    scoring = "r2" if task == "regression" else "roc_auc"
    if rng.random() < 0.5:
        training["search"] = _mix(rng, 0.3, {"strategy": "grid", "space": Flow({k: FlowSeq(v) for k, v in space.items()}), "cv": 5, "scoring": scoring})
    if task == "classification" and rng.random() < 0.3:
        training["calibration"] = Flow(method=rng.choice(["sigmoid", "isotonic"]))
    gates: list[dict[str, Any]] = (
        [{"name": "roc_auc", "min": 0.75}, {"name": "brier_score", "max": 0.2}, {"name": "recall", "min": 0.6}]
        if task == "classification"
        else [{"name": "r2", "min": 0.5}, {"name": "mae", "max": 25.0}]
    )
    p_flow = 0.0 if rng.random() < 0.6 else 1.0
    metrics = [_mix(rng, p_flow, gate) for gate in gates]
    tier = rng.choice(["minimal", "limited", "limited", "high"])
    card: dict[str, Any] = {
        "intended_use": (
            f"Rank {subject[0]}s daily for {subject[4]} follow-up by the {domain} team."
        ),
        "out_of_scope": f"Decisions about individual {subject[0]}s without review.",
        "limitations": [
            f"Trained on {subject[0]}s seen in the last two years only.",
            "Scores drift when pricing or the product mix changes.",
        ],
        "ethical_considerations": [
            Flow(name="proxy discrimination", mitigation="no demographic features are used"),
        ],
        "human_oversight": (
            "An analyst reviews each list before use and can pause the model."
        ),
        "license": rng.choice(_LICENSES),
    }
    spec = {
        "version": _semver(rng),
        "task": task,
        "data": {"contract": contract.name, "target": target, "features": features},
        "training": training,
        "evaluation": {"metrics": metrics},
        "risk": _mix(rng, 0.4, {"tier": tier, "personal_data": rng.random() < 0.3}),
        "card": card,
    }
    metadata = {
        "name": name,
        "owner": f"{domain}-ml",
        "description": f"Predicts {target.replace('_', ' ')} for each {subject[0]}.",
        "labels": Flow(domain=domain, use_case=subject[4]),
    }
    comments = {
        "spec.version": "Bump the version whenever data or training changes.",
        "spec.training.estimator": "Only allow-listed estimators; see the modelspec docs.",
    }
    return GeneratedDoc("Model", name, _envelope("Model", metadata, spec), comments)


def deployment_document(
    rng: random.Random, round_: int, model: GeneratedDoc, targets: list[GeneratedDoc]
) -> GeneratedDoc:
    """A deployment of model: prod (canary) on round 0, staging on 1, batch on 2, more prod after."""
    env = _ENVS[round_] if round_ < 3 else "prod"
    choices = [t for t in targets if t.data["metadata"]["labels"]["env"] == env]
    target = rng.choice(choices)
    name = f"{model.name}-{env}" if round_ < 3 else f"{model.name}-{env}-{round_}"
    domain = model.data["metadata"]["labels"]["domain"]
    task = model.data["spec"]["task"]
    spec: dict[str, Any] = {"model": model.name, "target": target.name}
    comments: dict[str, str] = {}
    if env == "batch":
        spec["mode"] = "batch"
        spec["schedule"] = rng.choice(["0 3 * * *", "30 1 * * *", "@daily", "0 */6 * * *"])
        spec["resources"] = Flow(cpu="2", memory="4Gi")
        spec["rollout"] = Flow(strategy="direct")
    else:
        protected = bool(target.data["spec"].get("protected"))
        spec["mode"] = "online"
        spec["replicas"] = _mix(rng, 0.2, {"min": 2 if protected else 1, "max": rng.choice([4, 6, 10]) if protected else 2})
        spec["autoscaling"] = _mix(rng, 0.2, {"metric": rng.choice(["rps", "concurrency"]), "target": rng.choice([20, 50, 100])})
        spec["resources"] = _mix(rng, 0.2, {"cpu": rng.choice(["250m", "500m", "1"]), "memory": rng.choice(["512Mi", "1Gi", "2Gi"])})
        if protected:
            spec["rollout"] = _mix(rng, 0.2, {"strategy": "canary", "canary_percent": rng.choice([5, 10, 20])})
            comments["spec.rollout"] = "Protected target: new versions take a slice of traffic first."
        else:
            spec["rollout"] = Flow(strategy="direct")
    gate = _mix(rng, 0.2, {"metric": "roc_auc", "min": 0.7} if task == "classification" else {"metric": "mae", "max": 30.0})
    spec["monitoring"] = {
        "drift": _mix(rng, 0.2, {"method": rng.choice(["psi", "ks", "jensenshannon"]), "threshold": 0.2}),
        "performance": gate,
        "latency_p95_ms": rng.choice([100, 250, 500]),
        "error_rate_max": 0.01,
        "on_breach": rng.choice(["alert", "alert", "retrain", "rollback"]),
    }
    metadata = {
        "name": name,
        "owner": f"{domain}-ml",
        "labels": Flow(domain=domain, env=env),
    }
    return GeneratedDoc("Deployment", name, _envelope("Deployment", metadata, spec), comments)


def _policy(name: str, owner: str, description: str, enforcement: str, applies_to: dict[str, Any],
            rules: list[dict[str, Any]]) -> GeneratedDoc:
    spec = {"description": Folded(description), "enforcement": enforcement, "applies_to": applies_to,
            "rules": rules}
    return GeneratedDoc("Policy", name, _envelope("Policy", {"name": name, "owner": owner}, spec))


def _rule(rule_id: str, condition: dict[str, Any], message: str) -> dict[str, Any]:
    return {"id": rule_id, "assert": Flow(condition), "message": message}


def policy_documents(rng: random.Random, count: int, domains: tuple[str, ...]) -> list[GeneratedDoc]:
    """count policies (at most 5 + 2 per domain), all of which the generated resources meet."""
    out = [
        _policy("high-risk-models-overseen", "governance",
                "High-risk models say what they are for and how a person oversees and overrides them.",
                "hard-mandatory",
                {"kinds": FlowSeq(["Model"]), "where": Flow({"field": "spec.risk.tier", "in": FlowSeq(["high"])})},
                [_rule("oversight-documented", {"field": "spec.card.human_oversight", "exists": True},
                       "Describe in spec.card.human_oversight how a person can override the model."),
                 _rule("intended-use-documented", {"field": "spec.card.intended_use", "exists": True},
                       "State the intended use in spec.card.intended_use.")]),
        _policy("protected-targets-roll-out-gradually", "ml-platform",
                "Deployments to protected targets expose a new version to a slice of traffic first "
                "and keep a spare replica.",
                "soft-mandatory",
                {"kinds": FlowSeq(["Deployment"]), "where": Flow({"field": "refs.target.spec.protected", "equals": True})},
                [_rule("canary-or-shadow", {"field": "spec.rollout.strategy", "in": FlowSeq(["canary", "shadow"])},
                       "Use rollout strategy canary or shadow on protected targets."),
                 _rule("failover-replicas", {"field": "spec.replicas.min", "gte": 2},
                       "Run at least two replicas on protected targets.")]),
        _policy("online-deployments-monitored", "ml-platform",
                "Online deployments watch input drift and hold a latency bound.",
                "soft-mandatory",
                {"kinds": FlowSeq(["Deployment"]), "where": Flow({"field": "spec.mode", "equals": "online"})},
                [_rule("drift-watched", {"field": "spec.monitoring.drift", "exists": True},
                       "Add spec.monitoring.drift."),
                 _rule("latency-bounded", {"field": "spec.monitoring.latency_p95_ms", "lte": 1000},
                       "Keep spec.monitoring.latency_p95_ms at or under one second.")]),
        _policy("models-state-a-license", "governance",
                "Every model card names the license the model is released under.",
                "advisory", {"kinds": FlowSeq(["Model"])},
                [_rule("license-stated", {"field": "spec.card.license", "exists": True},
                       "Add spec.card.license.")]),
        _policy("contracts-bound-row-counts", "data-platform",
                "Data contracts set a minimum row count so an empty extract never trains a model.",
                "advisory", {"kinds": FlowSeq(["DataContract"])},
                [_rule("row-count-set", {"field": "spec.quality.row_count.min", "gte": 1},
                       "Add spec.quality.row_count.min.")]),
    ]
    for domain in domains:
        scope = Flow({"field": "metadata.labels.domain", "equals": domain})
        out.append(_policy(
            f"{domain}-models-gated", f"{domain}-ml",
            f"Models of the {domain} domain are evaluated against metric gates before release.",
            "soft-mandatory", {"kinds": FlowSeq(["Model"]), "where": scope},
            [_rule("has-gates", {"field": "spec.evaluation.metrics", "exists": True},
                   "Add at least one metric gate under spec.evaluation.metrics.")]))
        out.append(_policy(
            f"{domain}-owned-by-domain-teams", "governance",
            f"Resources labelled {domain} are owned by a {domain} team.",
            "advisory", {"kinds": FlowSeq(["DataContract", "Model", "Deployment"]), "where": scope},
            [_rule("owner-is-domain-team", {"field": "metadata.owner", "matches": f"^{domain}-"},
                   f"Set metadata.owner to a {domain} team.")]))
    return out[:count]
