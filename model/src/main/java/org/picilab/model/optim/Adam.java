package org.picilab.model.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam with the update rule of {@code torch.optim.Adam} (L2 weight decay added to the gradient,
 * bias-corrected moments, epsilon added after the square root) and a state that can be exported and
 * restored: DJL's own Adam keeps its moments private, so a run resumed from a checkpoint could not
 * continue the same optimisation with it.
 *
 * <p>Each parameter has its own step count, and a parameter is only updated when a stage's loss
 * reaches it (the caller passes the active parameters), which matches PyTorch skipping parameters
 * whose gradient is None. The update reads the parameter's gradient and then zeroes it, since DJL's
 * PyTorch engine accumulates gradients across backward passes.
 */
public final class Adam {

  /**
   * One parameter's state.
   *
   * @param step updates applied so far
   * @param mean first moment, same shape as the parameter
   * @param variance second moment, same shape as the parameter
   */
  public record Slot(long step, NDArray mean, NDArray variance) {}

  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final double weightDecay;
  private final NDManager manager;
  private final Map<String, MutableSlot> slots = new LinkedHashMap<>();

  private static final class MutableSlot {
    long step;
    final NDArray mean;
    final NDArray variance;

    MutableSlot(long step, NDArray mean, NDArray variance) {
      this.step = step;
      this.mean = mean;
      this.variance = variance;
    }
  }

  /**
   * Creates an optimiser.
   *
   * @param manager owns the moment arrays for the life of the model
   * @param beta1 first-moment decay (0.9)
   * @param beta2 second-moment decay (0.999)
   * @param epsilon added to the root of the second moment (1e-8)
   * @param weightDecay L2 coefficient added to gradients (0 in PICI)
   */
  public Adam(NDManager manager, double beta1, double beta2, double epsilon, double weightDecay) {
    this.manager = manager;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.weightDecay = weightDecay;
  }

  /**
   * Applies one update to each given parameter from its current gradient, then zeroes the gradient.
   * Temporary arrays are registered with the caller's {@code NDScope}.
   *
   * @param active the parameters the last backward pass reached, by stable name
   * @param learningRate the learning rate of this step
   */
  public void step(Map<String, Parameter> active, double learningRate) {
    for (Map.Entry<String, Parameter> e : active.entrySet()) {
      NDArray weight = e.getValue().getArray();
      MutableSlot slot = slots.computeIfAbsent(e.getKey(), k -> newSlot(weight));
      slot.step++;
      NDArray grad = weight.getGradient();
      NDArray g = weightDecay == 0 ? grad : grad.add(weight.mul(weightDecay));
      slot.mean.muli(beta1).addi(g.mul(1 - beta1));
      slot.variance.muli(beta2).addi(g.square().muli(1 - beta2));
      double correction1 = 1 - Math.pow(beta1, slot.step);
      double correction2 = 1 - Math.pow(beta2, slot.step);
      NDArray denominator = slot.variance.sqrt().divi(Math.sqrt(correction2)).addi(epsilon);
      weight.subi(slot.mean.div(denominator).muli(learningRate / correction1));
      grad.subi(grad);
    }
  }

  private MutableSlot newSlot(NDArray weight) {
    NDArray mean = manager.zeros(weight.getShape(), weight.getDataType(), weight.getDevice());
    NDArray variance = manager.zeros(weight.getShape(), weight.getDataType(), weight.getDevice());
    // The slots live as long as the model, not as long as the step that created them.
    ai.djl.ndarray.NDScope.unregister(mean, variance);
    return new MutableSlot(0, mean, variance);
  }

  /**
   * The state of every parameter updated so far, by name. The arrays are the live moments; copy
   * them before the next step if they must not change.
   *
   * @return name to slot, in first-update order
   */
  public Map<String, Slot> state() {
    Map<String, Slot> out = new LinkedHashMap<>();
    slots.forEach((k, s) -> out.put(k, new Slot(s.step, s.mean, s.variance)));
    return Collections.unmodifiableMap(out);
  }

  /**
   * Restores one parameter's state, replacing any existing one.
   *
   * @param name the parameter's stable name
   * @param step its update count
   * @param mean first moment values, row-major
   * @param variance second moment values, row-major
   * @param like the parameter array, for shape, type and device
   */
  public void restore(String name, long step, float[] mean, float[] variance, NDArray like) {
    MutableSlot slot = slots.computeIfAbsent(name, k -> newSlot(like));
    slot.step = step;
    slot.mean.set(java.nio.FloatBuffer.wrap(mean));
    slot.variance.set(java.nio.FloatBuffer.wrap(variance));
  }
}
