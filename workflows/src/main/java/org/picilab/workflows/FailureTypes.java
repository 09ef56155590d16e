package org.picilab.workflows;

import java.util.List;

/** Failure types that retrying cannot fix; activities fail with them as non-retryable. */
public final class FailureTypes {

  /** A setting that cannot be used. */
  public static final String BAD_CONFIGURATION = "BadConfiguration";

  /** A data set that cannot be read. */
  public static final String UNREADABLE_DATA = "UnreadableData";

  /** A loss became NaN or infinite. */
  public static final String DIVERGED = "Diverged";

  /** All of them. */
  public static final List<String> NON_RETRYABLE =
      List.of(BAD_CONFIGURATION, UNREADABLE_DATA, DIVERGED);

  private FailureTypes() {}
}
