package org.picilab.workflows;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The forms of run and sweep ids, checked wherever an id crosses a boundary: a workflow id, a key
 * of the object store, a file name, a request of the API. A run id is {@code run-} and a sweep id
 * {@code sweep-}, each followed by 1 to 100 lowercase letters, digits and hyphens (e.g. {@code
 * run-digits-quick-ab12-001}, {@code sweep-digits-quick-ab12}), so an id can never name a parent
 * folder, another prefix or a query.
 */
public final class Ids {

  /** A run id: {@code run-} and 1 to 100 of {@code [a-z0-9-]}. */
  public static final Pattern RUN_ID = Pattern.compile("run-[a-z0-9-]{1,100}");

  /** A sweep id: {@code sweep-} and 1 to 100 of {@code [a-z0-9-]}. */
  public static final Pattern SWEEP_ID = Pattern.compile("sweep-[a-z0-9-]{1,100}");

  private Ids() {}

  /**
   * Whether a string is a valid run id.
   *
   * @param id the string, may be null
   * @return true when it has the form of {@link #RUN_ID}
   */
  public static boolean isRunId(String id) {
    return id != null && RUN_ID.matcher(id).matches();
  }

  /**
   * Whether a string is a valid sweep id.
   *
   * @param id the string, may be null
   * @return true when it has the form of {@link #SWEEP_ID}
   */
  public static boolean isSweepId(String id) {
    return id != null && SWEEP_ID.matcher(id).matches();
  }

  /**
   * Checks a run id.
   *
   * @param id the id
   * @param field what the id is, for the message (e.g. "runId")
   * @return the id
   * @throws IllegalArgumentException naming the field and the expected form when it is not one
   */
  public static String requireRunId(String id, String field) {
    if (!isRunId(id)) {
      throw invalid(field, id, "run-", "run-digits-quick-ab12-001");
    }
    return id;
  }

  /**
   * Checks a sweep id.
   *
   * @param id the id
   * @param field what the id is, for the message (e.g. "sweepId")
   * @return the id
   * @throws IllegalArgumentException naming the field and the expected form when it is not one
   */
  public static String requireSweepId(String id, String field) {
    if (!isSweepId(id)) {
      throw invalid(field, id, "sweep-", "sweep-digits-quick-ab12");
    }
    return id;
  }

  private static IllegalArgumentException invalid(
      String field, String id, String prefix, String example) {
    return new IllegalArgumentException(
        field
            + " "
            + (id == null ? "is missing" : "'" + printable(id) + "' is not valid")
            + ": expected '"
            + prefix
            + "' followed by 1 to 100 lowercase letters, digits and hyphens, e.g. "
            + example);
  }

  /** The id as it can be shown: control characters escaped, a long id cut short. */
  private static String printable(String id) {
    String cut = id.length() > 120 ? id.substring(0, 120) : id;
    StringBuilder sb = new StringBuilder();
    for (char c : cut.toCharArray()) {
      if (c < 0x20 || c == 0x7f) {
        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return cut.length() < id.length() ? sb + "..." : sb.toString();
  }
}
