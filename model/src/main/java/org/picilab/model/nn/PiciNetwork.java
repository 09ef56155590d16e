package org.picilab.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.picilab.model.config.NetworkSpec;

/**
 * The whole PICI network (paper 002, Figure 1): encoder F, decoder D, instance-MLP G_I and
 * cluster-MLP G_C. Training code calls the parts one by one (masked encoding, decoding, heads);
 * {@link #forward} is the evaluation path: images (B, 3, S, S) to (h, z, cluster probabilities).
 *
 * <p>Parameters are grouped by part ({@link Part}) so that a stage updates only the parts its loss
 * reaches, as an optimizer that skips parameters without gradients would.
 */
public final class PiciNetwork extends AbstractBlock {

  private static final byte VERSION = 1;

  /** The trainable parts, in a fixed order that names parameters in checkpoints. */
  public enum Part {
    /** The ViT encoder F. */
    ENCODER("encoder"),
    /** The MAE decoder D. */
    DECODER("decoder"),
    /** The instance-MLP G_I. */
    INSTANCE_HEAD("instanceHead"),
    /** The cluster-MLP G_C. */
    CLUSTER_HEAD("clusterHead");

    private final String key;

    Part(String key) {
      this.key = key;
    }

    /**
     * The prefix of this part's parameter names.
     *
     * @return a short camel-case name
     */
    public String key() {
      return key;
    }
  }

  private final NetworkSpec spec;
  private final VitEncoder encoder;
  private final MaeDecoder decoder;
  private final ProjectionHead instanceHead;
  private final ProjectionHead clusterHead;

  /**
   * Builds the network (parameters are not allocated until {@link #initialize}).
   *
   * @param spec the sizes
   */
  public PiciNetwork(NetworkSpec spec) {
    super(VERSION);
    this.spec = spec;
    encoder =
        addChildBlock(
            Part.ENCODER.key(),
            new VitEncoder(
                spec.imageSize(),
                spec.patchSize(),
                spec.dim(),
                spec.depth(),
                spec.heads(),
                spec.mlpRatio(),
                spec.positions()));
    decoder =
        addChildBlock(
            Part.DECODER.key(),
            new MaeDecoder(
                spec.imageSize() / spec.patchSize(),
                spec.patchSize(),
                spec.decoderDim(),
                spec.decoderDepth(),
                spec.decoderHeads(),
                spec.mlpRatio(),
                spec.positions()));
    instanceHead =
        addChildBlock(Part.INSTANCE_HEAD.key(), new ProjectionHead(spec.dim(), spec.instanceDim()));
    clusterHead =
        addChildBlock(Part.CLUSTER_HEAD.key(), new ProjectionHead(spec.dim(), spec.clusters()));
  }

  /**
   * The sizes this network was built with.
   *
   * @return the spec
   */
  public NetworkSpec spec() {
    return spec;
  }

  /**
   * Allocates parameters on the manager's device and fills them deterministically from the seed.
   *
   * @param manager owns the parameters for the life of the model
   * @param seed initialisation seed
   */
  public void initialize(NDManager manager, long seed) {
    setInitializer((m, shape, type) -> m.zeros(shape, type), p -> true);
    initialize(manager, DataType.FLOAT32, new Shape(1, 3, spec.imageSize(), spec.imageSize()));
    Initialization.apply(parameters(), seed);
  }

  /**
   * Encodes images, optionally keeping only the visible patches of a mask.
   *
   * @param ps the parameter store
   * @param images normalised images (B, 3, S, S)
   * @param keepIndex int64 (B, K) visible patch indices, or null to encode every patch
   * @param training whether this is a training pass
   * @return tokens (B, 1 + K, D); the CLS output is token 0
   */
  public NDArray encode(ParameterStore ps, NDArray images, NDArray keepIndex, boolean training) {
    NDList in = keepIndex == null ? new NDList(images) : new NDList(images, keepIndex);
    return encoder.forward(ps, in, training).head();
  }

  /**
   * Reconstructs every patch from the encoder's tokens.
   *
   * @param ps the parameter store
   * @param tokens encoder output (B, 1 + K, D)
   * @param restoreIndex int64 (B, L): the inverse of the masking shuffle
   * @param training whether this is a training pass
   * @return predicted patch pixels (B, L, p * p * 3)
   */
  public NDArray decode(ParameterStore ps, NDArray tokens, NDArray restoreIndex, boolean training) {
    return decoder.forward(ps, new NDList(tokens, restoreIndex), training).head();
  }

  /**
   * The L2-normalised instance projection z of representations h.
   *
   * @param ps the parameter store
   * @param h CLS representations (B, D)
   * @param training whether this is a training pass
   * @return z (B, instanceDim), unit rows
   */
  public NDArray instanceProjection(ParameterStore ps, NDArray h, boolean training) {
    return instanceHead.forward(ps, new NDList(h), training).head().normalize(2, 1, 1e-12);
  }

  /**
   * The cluster-head logits of representations h; softmax gives the soft assignment.
   *
   * @param ps the parameter store
   * @param h CLS representations (B, D)
   * @param training whether this is a training pass
   * @return logits (B, K)
   */
  public NDArray clusterLogits(ParameterStore ps, NDArray h, boolean training) {
    return clusterHead.forward(ps, new NDList(h), training).head();
  }

  /**
   * Extracts the CLS representation from encoder tokens.
   *
   * @param tokens (B, 1 + K, D)
   * @return h (B, D)
   */
  public static NDArray cls(NDArray tokens) {
    return tokens.get(":, 0, :");
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray h = cls(encode(ps, inputs.head(), null, training));
    NDArray z = instanceProjection(ps, h, training);
    NDArray c = clusterLogits(ps, h, training).softmax(1);
    return new NDList(h, z, c);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long b = inputShapes[0].get(0);
    return new Shape[] {
      new Shape(b, spec.dim()), new Shape(b, spec.instanceDim()), new Shape(b, spec.clusters())
    };
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    long b = inputShapes[0].get(0);
    encoder.initialize(manager, dataType, inputShapes[0]);
    Shape latent = new Shape(b, 1 + encoder.patchCount(), spec.dim());
    decoder.initialize(manager, dataType, latent);
    Shape h = new Shape(b, spec.dim());
    instanceHead.initialize(manager, dataType, h);
    clusterHead.initialize(manager, dataType, h);
  }

  /**
   * Every parameter with a stable name of the form {@code part.path}, in a fixed order.
   *
   * @return name to parameter
   */
  public Map<String, Parameter> parameters() {
    Map<String, Parameter> all = new LinkedHashMap<>();
    for (Part part : Part.values()) {
      all.putAll(parameters(part));
    }
    return all;
  }

  /**
   * The parameters of one part, named as in {@link #parameters()}.
   *
   * @param part the part
   * @return name to parameter, in a fixed order
   */
  public Map<String, Parameter> parameters(Part part) {
    Block block =
        switch (part) {
          case ENCODER -> encoder;
          case DECODER -> decoder;
          case INSTANCE_HEAD -> instanceHead;
          case CLUSTER_HEAD -> clusterHead;
        };
    Map<String, Parameter> named = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      named.put(part.key() + "." + p.getKey(), p.getValue());
    }
    return Collections.unmodifiableMap(named);
  }

  /**
   * The number of scalar weights in the given parts.
   *
   * @param parts the parts to count
   * @return the total element count
   */
  public long parameterCount(List<Part> parts) {
    long n = 0;
    for (Part part : parts) {
      for (Parameter p : parameters(part).values()) {
        n += p.getArray().size();
      }
    }
    return n;
  }

  /**
   * All parts, for convenience.
   *
   * @return every part in order
   */
  public static List<Part> allParts() {
    return new ArrayList<>(List.of(Part.values()));
  }
}
