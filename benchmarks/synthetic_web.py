"""A synthetic web of clinic sites sized like real WordPress sites, in the sample web's layout.

Each page is 80 to 150 KB, as a WordPress page with a page builder is: stylesheets and scripts inline and
linked, a JSON-LD ``@graph``, a mega menu, a footer of widgets, inline SVG icons, and a few KB of the
prose the extractor reads. The text is made from the same phrases clinic pages use (routes, conditions,
insurance notes, prices), so extraction does real work. Deterministic for a given seed.

The output is a sample-web root (``sites.json``, ``sites/<slug>/``, ``api/``) that ``sample_web.server``
serves, with every site in the Orange County seed list, so ``clinics crawl`` crawls it unchanged.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

PUBLISHED = "2026-01-15T10:00:00+00:00"  # every page's sitemap <lastmod> until the benchmark changes it
PAGES = ("", "ketamine-infusion-therapy/", "spravato/", "conditions-we-treat/", "pricing/", "insurance/",
         "faq/", "about/", "contact/", "our-team/", "kap/", "new-patients/", "locations/", "what-to-expect/",
         "ketamine-for-depression/", "ketamine-for-ptsd/", "ketamine-for-pain/", "ketamine-for-anxiety/",
         "financing/", "testimonials/")
ROUTES = ("IV ketamine infusions", "Spravato (esketamine) nasal spray", "intramuscular ketamine injections",
          "sublingual ketamine lozenges", "ketamine-assisted psychotherapy")
CONDITIONS = ("treatment-resistant depression", "PTSD", "anxiety", "OCD", "bipolar depression", "chronic pain",
              "CRPS", "fibromyalgia", "postpartum depression", "suicidal ideation", "migraine")
SENTENCES = (
    "We offer {route} for adults with {condition} and {condition2}.",
    "Our physicians have treated {condition} with {route} since 2019.",
    "Research suggests ketamine may help people with {condition}, although results vary.",
    "Each infusion lasts about 40 minutes and is monitored by a registered nurse.",
    "We do not offer {route} at this time.",
    "A single infusion is ${price}; a series of six infusions is ${package}.",
    "We do not accept insurance for IV ketamine, but we provide a superbill you can submit.",
    "Spravato is covered by most commercial insurance plans, and we handle the prior authorization.",
    "We accept HSA and FSA cards, and financing is available through CareCredit.",
    "Ketamine is not right for everyone: you may not be a candidate if you have uncontrolled blood pressure.",
    "Your first visit includes a consultation with our medical director (${consult}).",
    "Patients often describe a calm, dreamlike feeling during the session.",
)
WORDS = ("care", "comfort", "team", "recovery", "relief", "guidance", "support", "wellness", "science", "calm")


def generate(root: Path, sites: int = 100, pages_per_site: int = 20, seed: int = 7) -> dict:
    """Write the web under ``root``; returns its size (sites, pages, bytes)."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "api" / "seeds").mkdir(parents=True, exist_ok=True)
    listing = []
    total_bytes = pages = 0
    for n in range(sites):
        slug = f"bench-clinic-{n:03d}"
        host = f"127.0.{1 + n // 250}.{1 + n % 250}"
        listing.append({"slug": slug, "host": host})
        site = root / "sites" / slug
        paths = PAGES[:pages_per_site]
        clinic = {"name": f"{rng.choice(('Pacific', 'Harbor', 'Summit', 'Coastal', 'Golden', 'Canyon'))} Ketamine "
                          f"{slug[-3:]}",
                  "street": f"{rng.randint(10, 9999)} Alton Parkway, Suite {rng.randint(1, 400)}",
                  "phone": f"(949) 555-{rng.randint(100, 199):04d}"}
        for path in paths:
            html = page_html(rng, clinic, path, paths)
            file = site / path / "index.html"
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(html, encoding="utf-8")
            total_bytes += len(html.encode())
            pages += 1
        (site / "robots.txt").write_text("User-agent: *\nDisallow: /wp-admin/\n\nSitemap: {{base}}/sitemap.xml\n")
        urls = "".join(f"<url><loc>{{{{base}}}}/{p}</loc><lastmod>{PUBLISHED}</lastmod></url>" for p in paths)
        (site / "sitemap.xml").write_text(f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                                          f'sitemap/0.9">{urls}</urlset>')
    (root / "sites.json").write_text(json.dumps(listing, indent=1))
    (root / "api" / "npi_results.json").write_text("[]")
    (root / "api" / "overpass_elements.json").write_text("[]")
    seeds = "\n".join(f"{{{{site:{s['slug']}}}}}/" for s in listing)
    (root / "api" / "seeds" / "orange-county-ca.txt").write_text(seeds + "\n")
    return {"sites": sites, "pages": pages, "bytes": total_bytes}


def page_html(rng: random.Random, clinic: dict, path: str, paths: tuple[str, ...]) -> str:
    """One page of a site: the clinic's name, address and phone are the same on every page, as on a real site."""
    name = clinic["name"]
    target = rng.randint(80_000, 150_000)
    head = _head(rng, clinic)
    menu = _menu(paths)
    body = _content(rng, name, path)
    footer = _footer(rng, name, paths)
    filler_needed = target - len(head) - len(menu) - len(body) - len(footer)
    filler = _builder_markup(rng, max(filler_needed, 0))
    return (f"<!DOCTYPE html><html lang=\"en-US\">{head}<body class=\"page-template-default page wp-custom-logo\">"
            f"{menu}<main id=\"main\" class=\"site-main\"><article>{body}</article>{filler}</main>{footer}"
            f"</body></html>")


def _head(rng: random.Random, clinic: dict) -> str:
    name = clinic["name"]
    css = "".join(f".elementor-element-{rng.randrange(16**6):06x}{{margin:{rng.randint(0, 40)}px;"
                  f"padding:{rng.randint(0, 30)}px;color:#{rng.randrange(16**6):06x}}}" for _ in range(250))
    script = "".join(f"var e{rng.randrange(10**6)}=function(t){{return t.map(function(n){{return n*"
                     f"{rng.randint(2, 9)}}})}};" for _ in range(350))
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "url": "{{base}}/", "name": name},
        {"@type": ["MedicalClinic", "LocalBusiness"], "name": name, "url": "{{base}}/",
         "telephone": clinic["phone"],
         "address": {"@type": "PostalAddress", "streetAddress": clinic["street"],
                     "addressLocality": "Irvine", "addressRegion": "CA", "postalCode": "92618"}}]}
    return (f"<head><meta charset=\"utf-8\"><title>{name}</title>"
            f"<link rel=\"stylesheet\" href=\"/wp-content/themes/astra/style.min.css?ver=4.6\">"
            f"<style id=\"elementor-frontend-inline-css\">{css}</style>"
            f"<script type=\"application/ld+json\">{json.dumps(graph)}</script>"
            f"<script>{script}</script><script src=\"/wp-includes/js/jquery/jquery.min.js\"></script></head>")


def _menu(paths: tuple[str, ...]) -> str:
    items = "".join(f"<li class=\"menu-item\"><a href=\"/{p}\">{(p.strip('/') or 'home').replace('-', ' ').title()}"
                    f"</a></li>" for p in paths)
    return f"<header class=\"site-header\"><nav class=\"main-navigation\"><ul class=\"menu\">{items}</ul></nav></header>"


def _content(rng: random.Random, name: str, path: str) -> str:
    title = (path.strip("/") or "home").replace("-", " ").title()
    paragraphs = []
    for _ in range(rng.randint(8, 16)):
        sentences = [rng.choice(SENTENCES).format(
            route=rng.choice(ROUTES), condition=rng.choice(CONDITIONS), condition2=rng.choice(CONDITIONS),
            price=rng.choice((395, 450, 495, 550)), package=rng.choice((2200, 2400, 2700)),
            consult=rng.choice((150, 200, 250))) for _ in range(rng.randint(2, 5))]
        paragraphs.append(f"<p>{' '.join(sentences)}</p>")
    items = "".join(f"<li>{c.capitalize()}</li>" for c in rng.sample(CONDITIONS, 5))
    return (f"<h1>{title} | {name}</h1>{''.join(paragraphs[:4])}<h2>Conditions we treat</h2><ul>{items}</ul>"
            f"{''.join(paragraphs[4:])}")


def _builder_markup(rng: random.Random, size: int) -> str:
    """Page-builder wrappers, icons and hidden widgets: the bytes a real page carries around its text."""
    chunks, length = [], 0
    while length < size:
        icon = "".join(f"M{rng.randint(0, 512)} {rng.randint(0, 512)}L{rng.randint(0, 512)} {rng.randint(0, 512)}"
                       for _ in range(12))
        chunk = (f"<div class=\"elementor-section elementor-top-section elementor-element-{rng.randrange(16**7):07x}\" "
                 f"data-settings='{{\"background_background\":\"classic\",\"animation\":\"fadeIn\"}}'>"
                 f"<div class=\"elementor-container\"><div class=\"elementor-widget-wrap\">"
                 f"<svg viewBox=\"0 0 512 512\" aria-hidden=\"true\"><path d=\"{icon}\"></path></svg>"
                 f"<span class=\"elementor-icon-list-text\">{rng.choice(WORDS).title()}</span></div></div></div>")
        chunks.append(chunk)
        length += len(chunk)
    return "".join(chunks)


def _footer(rng: random.Random, name: str, paths: tuple[str, ...]) -> str:
    widgets = "".join(f"<section class=\"widget\"><h3 class=\"widget-title\">{rng.choice(WORDS).title()}</h3>"
                      f"<ul><li><a href=\"/{rng.choice(paths)}\">Ketamine and {rng.choice(CONDITIONS)}"
                      f"</a></li></ul></section>" for _ in range(6))
    return (f"<footer class=\"site-footer\">{widgets}<p>&copy; 2026 {name}. Irvine, CA 92618. "
            f"This website does not provide medical advice. In crisis, call or text 988.</p></footer>")
