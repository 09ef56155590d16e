package org.picilab.activities.cli;

import java.util.Locale;
import java.util.Map;
import org.picilab.workflows.Scores;

/** Text formatting shared by the platform commands. */
final class Format {

  private Format() {}

  static String scores(Scores s) {
    if (s == null) {
      return "-";
    }
    return String.format(
        Locale.ROOT, "NMI %.3f  ACC %.3f  ARI %.3f  FMI %.3f", s.nmi(), s.acc(), s.ari(), s.fmi());
  }

  static String losses(Map<String, Double> losses) {
    if (losses == null || losses.isEmpty()) {
      return "-";
    }
    StringBuilder sb = new StringBuilder();
    losses.forEach(
        (k, v) -> {
          if (sb.length() > 0) {
            sb.append("  ");
          }
          sb.append(k).append(' ').append(String.format(Locale.ROOT, "%.3f", v));
        });
    return sb.toString();
  }

  static String duration(double seconds) {
    if (!(seconds > 0) || Double.isInfinite(seconds)) {
      return "-";
    }
    long s = Math.round(seconds);
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
    if (s >= 60) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return s + "s";
  }

  static String meanStd(double mean, double std, int n) {
    return n > 1
        ? String.format(Locale.ROOT, "%.3f ± %.3f", mean, std)
        : String.format(Locale.ROOT, "%.3f", mean);
  }
}
