"""A clinic's page shows every fact with its snippet, source link and when it was seen.

Supplies the facts of the clinic being viewed to ``row-<db>-clinics.html``; the template escapes all of
it (scraped text is data, never markup).
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils import tilde_decode

FACT_QUERIES = {
    "routes": "select r.route as key, t.label, r.value, r.evidence, r.source_url, r.seen_at from clinic_routes r "
              "left join route_types t on t.key = r.route where r.clinic_id = :id order by r.value desc, t.label",
    "services": "select s.service as key, t.label, s.value, s.evidence, s.source_url, s.seen_at from clinic_services s "
                "left join service_types t on t.key = s.service where s.clinic_id = :id order by s.value desc",
    "conditions": "select k.condition as key, t.label, k.value, k.evidence, k.source_url, k.seen_at "
                  "from clinic_conditions k left join condition_types t on t.key = k.condition "
                  "where k.clinic_id = :id order by k.condition_family, t.label",
    "payment": "select p.key, coalesce(nullif(p.detail, ''), l.label, p.key) as label, p.value, p.evidence, "
               "p.source_url, p.seen_at from clinic_payment p left join payment_keys l on l.key = p.key "
               "where p.clinic_id = :id order by p.key, p.detail",
    "prices": "select amount_usd, amount_max_usd, unit, sessions, per_session_usd, route, qualifier, evidence, "
              "source_url, seen_at from prices where clinic_id = :id order by route, per_session_usd",
}


@hookimpl
def extra_template_vars(view_name, table, database, request, datasette):
    if view_name != "row" or table != "clinics" or request is None:
        return {}

    async def clinic_facts():
        clinic_id = tilde_decode(request.url_vars.get("pks", ""))
        db = datasette.get_database(database)
        facts = {}
        for name, sql in FACT_QUERIES.items():
            facts[name] = [dict(r) for r in (await db.execute(sql, {"id": clinic_id})).rows]
        return {"clinic_facts": facts}

    return clinic_facts
