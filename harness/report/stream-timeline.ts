// The streaming wake-word chart: a stream's detections on a timeline against its truth windows (each window drawn to
// its end + the scoring's extension), detections coloured by verdict. Built from the stored stream (store/streams.ts).
import type { TopLevelSpec } from "vega-lite";
import type { StreamDetectionRow, StreamRow } from "../store/streams.ts";

export function streamTimelineChart(title: string, row: StreamRow, detections: StreamDetectionRow[], emulated: boolean): TopLevelSpec {
  const windows = row.truthWindows.map(([start, end], i) => ({ start, end, extended: end + row.rules.tpExtensionS, window: i, lane: "truth windows" }));
  const points = detections.map((d) => ({
    t: d.timeS,
    verdict: d.verdict === "tp" ? "true positive" : d.verdict === "fp" ? "false positive" : "debounced",
    lane: "detections",
  }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    background: "white",
    config: { font: "sans-serif" },
    title: {
      text: title,
      subtitle: `TP ${row.truePositives}, FN ${row.falseNegatives}, FP ${row.falsePositives}; window end + ${row.rules.tpExtensionS} s${emulated ? "; emulated board: stream time (hop x 32 ms)" : ""}`,
    },
    width: 900,
    height: 90,
    layer: [
      {
        data: { values: windows },
        mark: { type: "rect", opacity: 0.25, color: "#2a7" },
        encoding: {
          x: { field: "start", type: "quantitative", title: "stream time (s)", scale: { domain: [0, row.lengthS] } },
          x2: { field: "extended" },
          y: { field: "lane", type: "nominal", title: null },
        },
      },
      {
        data: { values: windows },
        mark: { type: "rect", color: "#2a7" },
        encoding: { x: { field: "start", type: "quantitative" }, x2: { field: "end" }, y: { field: "lane", type: "nominal" } },
      },
      {
        data: { values: points },
        mark: { type: "tick", thickness: 1 },
        encoding: {
          x: { field: "t", type: "quantitative" },
          y: { field: "lane", type: "nominal" },
          color: {
            field: "verdict",
            type: "nominal",
            scale: { domain: ["true positive", "false positive", "debounced"], range: ["#1b7837", "#d6604d", "#bbbbbb"] },
          },
        },
      },
    ],
  } as TopLevelSpec;
}
