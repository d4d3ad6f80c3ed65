"""Plotly figure specifications (plain dicts) built from page data.

Pages embed them as JSON and `static/charts.js` draws them with the bundled plotly.js. The
map uses a `geojson` trace (shapes embedded in the page, never fetched), with every base
layer switched off so plotly.js requests no topojson either. Countries without a value are
drawn grey and hover as "no data": missing is not zero; those screening left out of an index
or pillar ranking are a darker grey and hover with the reason.
"""

from __future__ import annotations

GREY = "#d9d9d9"
DARK_GREY = "#a6a6a6"  # left out of the ranking by screening (the reason on hover)


def actor_colour(actor: str) -> str:
    """The actor's colour as declared in the codebook (grey for an undeclared one)."""
    from sharppower.web.lookup import codebook

    info = codebook().actor_info.get(actor)
    return info.colour if info else "#555555"


def tint(colour: str, white: float) -> str:
    """`colour` ("#rrggbb") mixed with `white` (0-1) of white."""
    rgb = [int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(c + (255 - c) * white):02x}" for c in rgb)


def actor_scale(actor: str) -> list:
    """A colour scale from a pale tint of the actor's colour to the colour itself (the
    pale end stays distinct from the grey of "no data")."""
    colour = actor_colour(actor)
    return [[0, tint(colour, 0.85)], [0.5, tint(colour, 0.4)], [1, colour]]


def _geo_layout() -> dict:
    off = {f"show{layer}": False for layer in
           ("land", "ocean", "lakes", "rivers", "countries", "coastlines", "subunits")}
    return {**off, "showframe": False, "projection": {"type": "natural earth"},
            "lonaxis": {"range": [-180, 180]}, "lataxis": {"range": [-58, 85]},
            "bgcolor": "rgba(0,0,0,0)"}


def _bar_title(data: dict) -> str:
    """The colour bar's title: the unit, and for a score its scale ('score<br>0-100,
    higher = more influence')."""
    unit, scale = data.get("unit") or "", data.get("scale") or ""
    return f"{unit}<br>{scale.replace(', ', '<br>')}" if scale else unit


def choropleth(data: dict) -> dict:
    """World map of one measure: grey base of every shape, coloured targets with a value."""
    rows = [r for r in data["values"] if r.get("value") is not None]
    base = {"type": "choropleth", "locationmode": "ISO-3",
            "locations": data["shapes"], "z": [0] * len(data["shapes"]),
            "colorscale": [[0, GREY], [1, GREY]], "showscale": False,
            "marker": {"line": {"color": "#ffffff", "width": 0.5}},
            "customdata": data["shapes"], "hovertemplate": "%{customdata}: no data<extra></extra>",
            "name": "no data"}
    trace = {"type": "choropleth", "locationmode": "ISO-3",
             "locations": [r["target"] for r in rows], "z": [r["value"] for r in rows],
             "text": [r["hover"] for r in rows], "hovertemplate": "%{text}<extra></extra>",
             "colorscale": actor_scale(data["actor"]), "marker": {"line": {"color": "#ffffff", "width": 0.5}},
             "colorbar": {"title": {"text": _bar_title(data)}, "thickness": 12},
             "name": data["label"]}
    layout = {"geo": _geo_layout(), "margin": {"l": 0, "r": 0, "t": 10, "b": 0},
              "height": 520, "dragmode": False}
    left = data.get("not_ranked") or []
    if not left:
        return {"data": [base, trace], "layout": layout}
    unranked = {"type": "choropleth", "locationmode": "ISO-3",
                "locations": [r["target"] for r in left], "z": [0] * len(left),
                "colorscale": [[0, DARK_GREY], [1, DARK_GREY]], "showscale": False,
                "marker": {"line": {"color": "#ffffff", "width": 0.5}},
                "text": [f"<b>{r['name']}</b>: not ranked<br>" + r["reason"].replace("; ", ";<br>")
                         for r in left],
                "hovertemplate": "%{text}<extra></extra>", "name": "not ranked"}
    return {"data": [base, trace, unranked], "layout": layout}


def trend(series: list[dict], title: str, unit: str) -> dict:
    """Lines with a shaded 95% band per actor and a marker on each historic high."""
    traces = []
    for s in series:
        pts = [p for p in s["points"] if p.get("value") is not None]
        if not pts:
            continue
        color = actor_colour(s["actor"])
        years = [p["year"] for p in pts]
        banded = [p for p in pts if p.get("ci_low") is not None and p.get("ci_high") is not None]
        if banded:
            traces.append({"type": "scatter", "x": [p["year"] for p in banded]
                           + [p["year"] for p in banded][::-1],
                           "y": [p["ci_high"] for p in banded] + [p["ci_low"] for p in banded][::-1],
                           "fill": "toself", "fillcolor": color, "opacity": 0.18,
                           "line": {"width": 0}, "hoverinfo": "skip",
                           "name": f"{s['actor_name']} 95% interval"})
        traces.append({"type": "scatter", "mode": "lines+markers", "x": years,
                       "y": [p["value"] for p in pts], "line": {"color": color},
                       "name": s["actor_name"]})
        if s.get("high"):
            traces.append({"type": "scatter", "mode": "markers+text", "x": [s["high"]["year"]],
                           "y": [s["high"]["value"]], "text": ["highest"],
                           "textposition": "top center", "showlegend": False,
                           "marker": {"symbol": "star", "size": 13, "color": color}})
        records = s.get("historic_highs") or []
        if records:
            traces.append({"type": "scatter", "mode": "markers", "showlegend": False,
                           "x": [r["year"] for r in records], "y": [r["value"] for r in records],
                           "hovertemplate": "%{x}: new historic high %{y:.1f}<extra></extra>",
                           "marker": {"symbol": "triangle-up", "size": 10, "color": color}})
    layout = {"title": {"text": title}, "yaxis": {"title": {"text": unit}},
              "xaxis": {"dtick": 2}, "height": 360, "margin": {"t": 40, "l": 60, "r": 20, "b": 40}}
    return {"data": traces, "layout": layout}


def quadrant(points: list[dict], moves: list[dict], att_label: str, inf_label: str,
             thresholds: dict) -> dict:
    """Attraction (y) against influence (x) with error bars, thresholds and moves."""
    have = [p for p in points if p.get("attraction") is not None and p.get("influence") is not None]
    traces = []
    if moves:
        traces.append({"type": "scatter", "mode": "markers", "name": "start",
                       "x": [m["influence_from"] for m in moves],
                       "y": [m["attraction_from"] for m in moves],
                       "marker": {"symbol": "circle-open", "size": 8, "color": "#555"},
                       "hovertext": [f"{m.get('name', m['target'])}: start" for m in moves],
                       "hovertemplate": "%{hovertext}<extra></extra>"})
    traces.append({
        "type": "scatter", "mode": "markers+text", "name": "targets",
        "x": [p["influence"] for p in have], "y": [p["attraction"] for p in have],
        "text": [p["target"] for p in have], "customdata": [p["target"] for p in have],
        "textposition": "top center",
        "error_x": _errors(have, "influence"), "error_y": _errors(have, "attraction"),
        "marker": {"size": 9, "color": [QUADRANT_COLORS.get(p.get("quadrant"), "#777")
                                        for p in have]},
        "hovertext": [p.get("hover", p["target"]) for p in have],
        "hovertemplate": "%{hovertext}<extra></extra>"})
    shapes = []
    if thresholds.get("attraction") is not None:
        shapes.append(_line("y", thresholds["attraction"]))
    if thresholds.get("influence") is not None:
        shapes.append(_line("x", thresholds["influence"]))
    layout = {"xaxis": {"title": {"text": inf_label}}, "yaxis": {"title": {"text": att_label}},
              "shapes": shapes, "height": 560, "showlegend": False,
              "annotations": [_arrow(m) for m in moves],
              "margin": {"t": 20, "l": 60, "r": 20, "b": 50}}
    return {"data": traces, "layout": layout}


QUADRANT_COLORS = {"influence_without_attraction": "#c0392b", "both": "#8e44ad",
                   "attraction_without_influence": "#27ae60", "neither": "#7f8c8d"}


def _arrow(move: dict) -> dict:
    """An arrow from a target's start (open circle) to where it is now."""
    return {"x": move["influence_to"], "y": move["attraction_to"], "xref": "x", "yref": "y",
            "ax": move["influence_from"], "ay": move["attraction_from"], "axref": "x",
            "ayref": "y", "showarrow": True, "arrowhead": 2, "arrowsize": 1.2,
            "arrowwidth": 1.2, "arrowcolor": "#555", "text": "", "standoff": 5}


def _errors(points: list[dict], axis: str) -> dict:
    plus = [_gap(p.get(f"{axis}_ci_high"), p[axis]) for p in points]
    minus = [_gap(p[axis], p.get(f"{axis}_ci_low")) for p in points]
    return {"type": "data", "symmetric": False, "array": plus, "arrayminus": minus,
            "thickness": 1, "width": 0, "color": "#888"}


def _gap(a, b):
    return None if a is None or b is None else max(a - b, 0)


def _line(axis: str, value: float) -> dict:
    if axis == "x":
        return {"type": "line", "xref": "x", "yref": "paper", "x0": value, "x1": value,
                "y0": 0, "y1": 1, "line": {"dash": "dash", "color": "#444", "width": 1}}
    return {"type": "line", "xref": "paper", "yref": "y", "y0": value, "y1": value,
            "x0": 0, "x1": 1, "line": {"dash": "dash", "color": "#444", "width": 1}}


def bars(rows: list[dict], title: str) -> dict:
    """Horizontal bars of scores with rank intervals in the hover (weights page)."""
    return {"data": [{"type": "bar", "orientation": "h", "y": [r["name"] for r in rows],
                      "x": [r["score"] for r in rows]}],
            "layout": {"title": {"text": title}, "height": 24 * max(len(rows), 4) + 80,
                       "yaxis": {"autorange": "reversed"}, "margin": {"l": 160, "t": 40}}}
