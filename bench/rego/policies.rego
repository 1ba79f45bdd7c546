# Steward's seed policies (policies/*.policy, docs/policy-language.md §13) in Rego, for the
# reference comparison of issue 3: the nine policies that have targets in `steward lint`
# (the three `target change` policies, ownership.domainChanges, ownership.globalChanges and
# versioning.breakingNeedsMajor, have none there).
#
# The input is the document bench/rego/export_input.py writes: the object model of §5, with
# records keyed by id (`contracts`, `products`, `domains`) and references by id. A missing
# optional value is an absent key, so `has(x.f)` is "x.f is defined" and `x.f default d` is
# `object.get(x, "f", d)`.
#
# Each policy keeps Steward's shape: a `_where` and a `_require` function of the target, and a
# failing set of target ids, {t | where(t); not require(t)}. A requirement that cannot be
# evaluated (undefined in Rego, an `error` outcome in Steward) is therefore a finding in both.
# None of these nine can err on a valid mesh: every unwrap is guarded by `has` or `default`.
#
#     data.steward.seed.findings   {policy id: [target id, ...]} for every failing target
package steward.seed

# The document: the input, or the same document stored as data (`data.steward_input`), which
# bench/rego/opa_bench.py uses to time the evaluation without parsing the input each time.
doc := input if input.contracts

doc := data.steward_input if not input.contracts

# ---- constants (seconds for durations, percentage points for percents)

max_pii_retention := 365 * 86400 # privacy.policy: const maxPiiRetention = 365d

min_completeness := 95 # quality.policy: const minCompleteness = 95%

min_purpose_length := 20 # quality.policy: const minPurposeLength = 20

max_restricted_domains := 3 # access.policy: const maxRestrictedDomains = 3

max_critical_freshness := 6 * 3600 # sla.policy: const maxCriticalFreshness = 6h

# ---- the findings

findings := {
	"access.crossDomainGrant": access_cross_domain_grant,
	"access.piiGrant": access_pii_grant,
	"access.restrictedSpread": access_restricted_spread,
	"ownership.productContact": ownership_product_contact,
	"privacy.piiMasking": privacy_pii_masking,
	"privacy.piiRetention": privacy_pii_retention,
	"quality.cdeCompleteness": quality_cde_completeness,
	"quality.contractPurpose": quality_contract_purpose,
	"sla.criticalFreshness": sla_critical_freshness,
}

# ---- privacy.piiMasking (target property)
#   where property.pii
#   require (property.masking default "none") != "none"

privacy_pii_masking contains property.id if {
	some contract in doc.contracts
	some property in contract.properties
	pii_masking_where(property)
	not pii_masking_require(property)
}

pii_masking_where(property) if property.pii

pii_masking_require(property) if object.get(property, "masking", "none") != "none"

# ---- privacy.piiRetention (target contract)
#   let piiColumns = [p.name for p in contract.properties where p.pii]
#   where len(piiColumns) > 0
#   require has(contract.retention) and has(contract.retentionElement)
#       and contract.retention <= maxPiiRetention

privacy_pii_retention contains contract.id if {
	some contract in doc.contracts
	pii_retention_where(contract)
	not pii_retention_require(contract)
}

pii_retention_where(contract) if {
	pii_columns := [p.name | some p in contract.properties; p.pii]
	count(pii_columns) > 0
}

pii_retention_require(contract) if {
	_ = contract.retention
	_ = contract.retentionElement
	contract.retention <= max_pii_retention
}

# ---- quality.cdeCompleteness (target property)
#   where property.criticalDataElement
#   require (property.completeness default 0%) >= minCompleteness

quality_cde_completeness contains property.id if {
	some contract in doc.contracts
	some property in contract.properties
	cde_completeness_where(property)
	not cde_completeness_require(property)
}

cde_completeness_where(property) if property.criticalDataElement

cde_completeness_require(property) if object.get(property, "completeness", 0) >= min_completeness

# ---- quality.contractPurpose (target contract)
#   require len(trim(contract.description default "")) >= minPurposeLength

quality_contract_purpose contains contract.id if {
	some contract in doc.contracts
	not contract_purpose_require(contract)
}

contract_purpose_require(contract) if count(trim_space(object.get(contract, "description", ""))) >= min_purpose_length

# ---- access.crossDomainGrant (target input; bindings input, product = the consumer)
#   where input.crossDomain
#   require some g in input.contract.grants: product.domain in g.domains

access_cross_domain_grant contains input_id(product, port) if {
	some product in doc.products
	some port in product.inputs
	cross_domain_grant_where(port)
	not cross_domain_grant_require(port, product)
}

cross_domain_grant_where(port) if port.crossDomain

cross_domain_grant_require(port, product) if {
	some g in doc.contracts[port.contractId].grants
	product.domain in g.domains
}

# ---- access.piiGrant (target input)
#   where input.crossDomain and len(input.piiReads) > 0
#   require some g in input.grants: g.pii

access_pii_grant contains input_id(product, port) if {
	some product in doc.products
	some port in product.inputs
	pii_grant_where(port)
	not pii_grant_require(port)
}

pii_grant_where(port) if {
	port.crossDomain
	count(port.piiReads) > 0
}

pii_grant_require(port) if {
	some g in port.grants
	g.pii
}

# ---- access.restrictedSpread (target contract)
#   let restricted = [p.name for p in contract.properties
#       where (p.classification default "public") == "restricted"]
#   let granted = distinct(flatten([g.domains for g in contract.grants]))
#   where len(restricted) > 0
#   require len(granted) <= maxRestrictedDomains

access_restricted_spread contains contract.id if {
	some contract in doc.contracts
	restricted_spread_where(contract)
	not restricted_spread_require(contract)
}

restricted_spread_where(contract) if {
	restricted := [p.name | some p in contract.properties; object.get(p, "classification", "public") == "restricted"]
	count(restricted) > 0
}

restricted_spread_require(contract) if {
	granted := {d | some g in contract.grants; some d in g.domains} # distinct: a set
	count(granted) <= max_restricted_domains
}

# ---- ownership.productContact (target product)
#   require has(product.team)
#       and some m in product.team.members: lower(m.role default "") == "owner" and has(m.email)

ownership_product_contact contains product.id if {
	some product in doc.products
	not product_contact_require(product)
}

product_contact_require(product) if {
	_ = product.team
	some m in product.team.members
	lower(object.get(m, "role", "")) == "owner"
	_ = m.email
}

# ---- sla.criticalFreshness (target product)
#   let loose = [c.id for c in product.contracts
#       where not has(c.freshness) or c.freshness > maxCriticalFreshness]
#   where "critical" in product.tags
#   require len(loose) == 0

sla_critical_freshness contains product.id if {
	some product in doc.products
	critical_freshness_where(product)
	not critical_freshness_require(product)
}

critical_freshness_where(product) if "critical" in product.tags

critical_freshness_require(product) if {
	loose := [c.id |
		some id in product.contracts
		c := doc.contracts[id]
		loose_freshness(c)
	]
	count(loose) == 0
}

loose_freshness(c) if not c.freshness

loose_freshness(c) if c.freshness > max_critical_freshness

# ---- target ids (§5.1)

input_id(product, port) := concat("", [product.id, "/inputs/", port.name])
