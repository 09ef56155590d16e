package org.picilab.model.loss;

/** How the CLI cross-entropy reads the cluster head (method.md, "CLI"). */
public enum CliLossKind {
  /** {@code -sum(onehot * log c)} on the softmax probabilities: the paper's Eq. 15, the default. */
  PROBS,
  /** Log-softmax applied again on top of the softmax output, as the authors' code does. */
  DOUBLE_SOFTMAX
}
