package org.picilab.model.util;

import java.util.Locale;

/** Durations written for people: "42s", "3m07s", "2h05m". */
public final class Durations {

  private Durations() {}

  /**
   * Formats seconds.
   *
   * @param seconds a duration
   * @return the text, or "?" when the duration is unknown (negative, NaN or infinite)
   */
  public static String human(double seconds) {
    if (!(seconds >= 0) || Double.isInfinite(seconds)) {
      return "?";
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
}
