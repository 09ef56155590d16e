package org.picilab.model.local;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.picilab.model.data.ImageDataset;
import org.picilab.model.eval.Evaluation;
import org.picilab.model.metrics.ConfusionMatrix;
import org.picilab.model.metrics.Scores;
import org.picilab.model.train.EpochRecord;

/**
 * A self-contained HTML report of a run with inline SVG plots: loss curves per component with the
 * stage boundaries, the 2-D embedding coloured by cluster and by class, the confusion matrix with
 * clusters ordered by their best-matching class, and the cluster sizes. It opens in any browser
 * without a network connection.
 */
final class Report {

  private static final String[] PALETTE = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#e7969c", "#637939", "#fdae6b", "#843c39", "#9edae5",
    "#7b4173", "#c7c7c7", "#31a354", "#ad494a"
  };

  private Report() {}

  static String html(
      RunResult result, Evaluation eval, ImageDataset data, List<EpochRecord> history) {
    StringBuilder sb = new StringBuilder(64 * 1024);
    sb.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>")
        .append(esc(result.method() + " on " + result.dataset()))
        .append("</title><style>")
        .append("body{font:14px system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}")
        .append("table{border-collapse:collapse;margin:8px 0 16px}td,th{padding:3px 10px;")
        .append("border-bottom:1px solid #ddd;text-align:right}th:first-child,td:first-child")
        .append("{text-align:left}h2{margin-top:28px}svg{background:#fff}.row{display:flex;")
        .append("flex-wrap:wrap;gap:16px}.muted{color:#777}</style></head><body>");
    sb.append("<h1>")
        .append(esc(result.method().toUpperCase(Locale.ROOT)))
        .append(" on ")
        .append(esc(result.dataset()))
        .append("</h1><p class=\"muted\">")
        .append(result.numImages())
        .append(" images, ")
        .append(result.numClusters())
        .append(" clusters, seed ")
        .append(result.seed())
        .append(", epochs ")
        .append(result.epochs().pretrain())
        .append("/")
        .append(result.epochs().train())
        .append("/")
        .append(result.epochs().boost())
        .append(
            String.format(
                Locale.ROOT,
                ", %.0f s, %.0f images/s",
                result.wallSeconds(),
                result.imagesPerSecond()))
        .append(result.device() == null ? "" : ", " + esc(result.device()))
        .append("</p>");
    scores(sb, result);
    if (!history.isEmpty()) {
      sb.append("<h2>Losses per epoch</h2><div class=\"row\">");
      losses(sb, history);
      sb.append("</div>");
    }
    sb.append("<h2>Instance features in 2-D (PCA")
        .append(
            String.format(
                Locale.ROOT,
                ", %.0f%% + %.0f%% of variance",
                100 * eval.explainedVariance()[0],
                100 * eval.explainedVariance()[1]))
        .append(")</h2><div class=\"row\">");
    int[] clusterColour = clusterColours(eval);
    int[] byCluster = new int[eval.predictions().length];
    for (int i = 0; i < byCluster.length; i++) {
      byCluster[i] = clusterColour[eval.predictions()[i]];
    }
    scatter(
        sb,
        eval,
        byCluster,
        data.hasLabels() ? "coloured by cluster (as its matched class)" : "coloured by cluster");
    if (data.hasLabels()) {
      scatter(sb, eval, data.labels(), "coloured by class");
    }
    sb.append("</div>");
    if (eval.confusion() != null) {
      sb.append("<h2>Confusion matrix</h2>");
      confusion(sb, eval.confusion(), data);
    }
    sb.append("<h2>Cluster sizes</h2>");
    bars(sb, eval.clusterSizes(), clusterColour);
    sb.append("</body></html>\n");
    return sb.toString();
  }

  private static void scores(StringBuilder sb, RunResult result) {
    if (result.scores() == null
        && (result.stageScores() == null || result.stageScores().isEmpty())) {
      sb.append("<p>No labels: no scores.</p>");
      return;
    }
    sb.append("<table><tr><th>scores</th><th>readout</th><th>NMI</th><th>ACC</th><th>ARI</th>")
        .append("<th>FMI</th></tr>");
    if (result.stageScores() != null) {
      for (org.picilab.model.train.Stage stage : org.picilab.model.train.Stage.values()) {
        RunResult.StageScore at = result.stageScores().get(stage.optionName());
        if (at != null) {
          row(sb, "end of " + stage.optionName(), at.readout(), at.scores());
        }
      }
    }
    if (result.scores() != null) {
      row(sb, "<b>final</b>", "", result.scores());
    }
    sb.append("</table>");
  }

  private static void row(StringBuilder sb, String name, String readout, Scores s) {
    sb.append(
        String.format(
            Locale.ROOT,
            "<tr><td>%s</td><td>%s</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td></tr>",
            name,
            esc(readout),
            s.nmi(),
            s.acc(),
            s.ari(),
            s.fmi()));
  }

  private static void losses(StringBuilder sb, List<EpochRecord> history) {
    Set<String> names = new LinkedHashSet<>();
    history.forEach(r -> names.addAll(r.losses().keySet()));
    for (String name : names) {
      List<double[]> points = new ArrayList<>();
      for (EpochRecord r : history) {
        Double v = r.losses().get(name);
        if (v != null) {
          points.add(new double[] {r.epoch() + 1, v});
        }
      }
      lineChart(
          sb, name, points, stageStarts(history), history.get(history.size() - 1).epoch() + 1);
    }
  }

  private static Map<Integer, String> stageStarts(List<EpochRecord> history) {
    Map<Integer, String> starts = new LinkedHashMap<>();
    String last = null;
    for (EpochRecord r : history) {
      String s = r.stage().optionName();
      if (!s.equals(last)) {
        starts.put(r.epoch(), s);
        last = s;
      }
    }
    return starts;
  }

  private static void lineChart(
      StringBuilder sb, String title, List<double[]> pts, Map<Integer, String> stages, int maxX) {
    int w = 340;
    int h = 200;
    int left = 48;
    int bottom = 26;
    int top = 22;
    double minY = Double.POSITIVE_INFINITY;
    double maxY = Double.NEGATIVE_INFINITY;
    for (double[] p : pts) {
      minY = Math.min(minY, p[1]);
      maxY = Math.max(maxY, p[1]);
    }
    if (maxY - minY < 1e-12) {
      maxY = minY + 1;
    }
    double plotW = w - left - 10.0;
    double plotH = h - top - bottom;
    double y0 = minY;
    double y1 = maxY;
    java.util.function.DoubleUnaryOperator sx = x -> left + plotW * (x - 0) / Math.max(1, maxX);
    java.util.function.DoubleUnaryOperator sy = y -> top + plotH * (1 - (y - y0) / (y1 - y0));
    sb.append(svgOpen(w, h))
        .append(text(w / 2.0, 14, esc(title), "middle", 13))
        .append(axis(left, top, plotW, plotH));
    double lastLabel = Double.NEGATIVE_INFINITY;
    for (Map.Entry<Integer, String> s : stages.entrySet()) {
      double x = sx.applyAsDouble(s.getKey());
      sb.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#bbb\" "
                  + "stroke-dasharray=\"3,3\"/>",
              x,
              top,
              x,
              top + plotH));
      if (x - lastLabel >= 44) {
        sb.append(text(x + 3, top + 10, s.getValue(), "start", 10));
        lastLabel = x;
      }
    }
    StringBuilder path = new StringBuilder();
    for (double[] p : pts) {
      path.append(path.length() == 0 ? "M" : "L")
          .append(
              String.format(
                  Locale.ROOT, "%.1f,%.1f", sx.applyAsDouble(p[0]), sy.applyAsDouble(p[1])));
    }
    sb.append("<path d=\"")
        .append(path)
        .append("\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.6\"/>");
    sb.append(text(left - 4, top + 4, fmt(y1), "end", 10))
        .append(text(left - 4, top + plotH, fmt(y0), "end", 10))
        .append(text(left, h - 8, "0", "middle", 10))
        .append(text(left + plotW, h - 8, "epoch " + maxX, "end", 10))
        .append("</svg>");
  }

  private static void scatter(StringBuilder sb, Evaluation eval, int[] colours, String title) {
    int size = 420;
    double[][] e = eval.embedding();
    double minX = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY;
    double maxY = Double.NEGATIVE_INFINITY;
    for (double[] p : e) {
      minX = Math.min(minX, p[0]);
      maxX = Math.max(maxX, p[0]);
      minY = Math.min(minY, p[1]);
      maxY = Math.max(maxY, p[1]);
    }
    double spanX = Math.max(maxX - minX, 1e-9);
    double spanY = Math.max(maxY - minY, 1e-9);
    sb.append(svgOpen(size, size)).append(text(size / 2.0, 14, esc(title), "middle", 13));
    int radius = e.length > 3000 ? 1 : 2;
    for (int i = 0; i < e.length; i++) {
      double x = 10 + (size - 20) * (e[i][0] - minX) / spanX;
      double y = 24 + (size - 34) * (1 - (e[i][1] - minY) / spanY);
      sb.append(
          String.format(
              Locale.ROOT,
              "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\" fill-opacity=\"0.7\"/>",
              x,
              y,
              radius,
              colour(colours[i])));
    }
    sb.append("</svg>");
  }

  private static void confusion(StringBuilder sb, ConfusionMatrix cm, ImageDataset data) {
    long[][] counts = cm.counts();
    int[] classes = cm.classLabels();
    int[] clusters = cm.clusterLabels();
    // Order columns by the class each cluster is matched to, so a good result is diagonal.
    int[] best = cm.bestClassForCluster();
    List<Integer> order = new ArrayList<>();
    for (int c = 0; c < classes.length; c++) {
      for (int j = 0; j < clusters.length; j++) {
        if (best[j] == c) {
          order.add(j);
        }
      }
    }
    for (int j = 0; j < clusters.length; j++) {
      if (best[j] < 0) {
        order.add(j);
      }
    }
    long max = 1;
    for (long[] row : counts) {
      for (long v : row) {
        max = Math.max(max, v);
      }
    }
    int cell = Math.max(18, Math.min(40, 520 / Math.max(1, order.size())));
    int left = 90;
    int top = 40;
    int w = left + cell * order.size() + 10;
    int h = top + cell * classes.length + 10;
    sb.append(svgOpen(w, h))
        .append(text(left, 14, "clusters (ordered by matched class)", "start", 11));
    for (int k = 0; k < order.size(); k++) {
      sb.append(
          text(
              left + cell * k + cell / 2.0,
              top - 6,
              String.valueOf(clusters[order.get(k)]),
              "middle",
              10));
    }
    for (int r = 0; r < classes.length; r++) {
      sb.append(
          text(
              left - 6,
              top + cell * r + cell / 2.0 + 4,
              esc(data.classNames().get(classes[r])),
              "end",
              11));
      for (int k = 0; k < order.size(); k++) {
        long v = counts[r][order.get(k)];
        double t = Math.sqrt((double) v / max);
        int shade = (int) Math.round(255 - 200 * t);
        sb.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"rgb(%d,%d,255)\" "
                    + "stroke=\"#fff\"><title>class %s, cluster %d: %d</title></rect>",
                left + cell * k,
                top + cell * r,
                cell,
                cell,
                shade,
                shade,
                esc(data.classNames().get(classes[r])),
                clusters[order.get(k)],
                v));
        if (v > 0 && cell >= 24) {
          sb.append(
              text(
                  left + cell * k + cell / 2.0,
                  top + cell * r + cell / 2.0 + 4,
                  String.valueOf(v),
                  "middle",
                  9));
        }
      }
    }
    sb.append("</svg>");
  }

  /**
   * A colour index per cluster: the index of the class it is matched to when labels exist, so that
   * both scatter plots use the same colour for the same group; unmatched clusters take colours
   * after the classes'.
   */
  private static int[] clusterColours(Evaluation eval) {
    int k = eval.clusterSizes().length;
    int[] colour = new int[k];
    for (int j = 0; j < k; j++) {
      colour[j] = j;
    }
    ConfusionMatrix cm = eval.confusion();
    if (cm == null) {
      return colour;
    }
    int[] clusters = cm.clusterLabels();
    int[] classes = cm.classLabels();
    int[] best = cm.bestClassForCluster();
    int next = classes.length;
    for (int j = 0; j < clusters.length; j++) {
      colour[clusters[j]] = best[j] >= 0 ? classes[best[j]] : next++;
    }
    return colour;
  }

  private static void bars(StringBuilder sb, int[] sizes, int[] colours) {
    int max = 1;
    for (int s : sizes) {
      max = Math.max(max, s);
    }
    int bar = Math.max(8, Math.min(36, 700 / Math.max(1, sizes.length)));
    int w = 40 + bar * sizes.length;
    int h = 180;
    sb.append(svgOpen(w, h));
    for (int k = 0; k < sizes.length; k++) {
      double height = 140.0 * sizes[k] / max;
      sb.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\">"
                  + "<title>cluster %d: %d images</title></rect>",
              30 + bar * k,
              150 - height,
              bar - 2,
              height,
              colour(colours[k]),
              k,
              sizes[k]));
      if (bar >= 16) {
        sb.append(text(30 + bar * k + (bar - 2) / 2.0, 165, String.valueOf(k), "middle", 10));
      }
    }
    sb.append(text(26, 16, String.valueOf(max), "end", 10)).append("</svg>");
  }

  private static String svgOpen(int w, int h) {
    return String.format(
        Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">",
        w,
        h,
        w,
        h);
  }

  private static String axis(int left, int top, double w, double h) {
    return String.format(
        Locale.ROOT,
        "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#ccc\"/>",
        left,
        top,
        w,
        h);
  }

  private static String text(double x, double y, String s, String anchor, int size) {
    return String.format(
        Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>",
        x,
        y,
        anchor,
        size,
        s);
  }

  private static String colour(int k) {
    return PALETTE[Math.floorMod(k, PALETTE.length)];
  }

  private static String fmt(double v) {
    return Math.abs(v) >= 100
        ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.3g", v);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
