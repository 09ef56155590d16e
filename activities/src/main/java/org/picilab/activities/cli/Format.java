package org.picilab.activities.cli;

import java.util.Locale;
import java.util.Map;
import org.picilab.model.util.Durations;
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
    return seconds > 0 ? Durations.human(seconds) : "-";
  }

  static String meanStd(double mean, double std, int n) {
    return n > 1
        ? String.format(Locale.ROOT, "%.3f ± %.3f", mean, std)
        : String.format(Locale.ROOT, "%.3f", mean);
  }
}
