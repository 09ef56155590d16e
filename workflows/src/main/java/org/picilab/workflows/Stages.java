package org.picilab.workflows;

import java.util.List;

/** The names of the training stages, in order (paper 002, Algorithm 1). */
public final class Stages {

  /** PISD only. */
  public static final String PRETRAIN = "pretrain";

  /** PISD + PICD. */
  public static final String TRAIN = "train";

  /** PICD + CLI. */
  public static final String BOOST = "boost";

  /** All stages in training order. */
  public static final List<String> ALL = List.of(PRETRAIN, TRAIN, BOOST);

  private Stages() {}
}
