package org.picilab.model.data;

import java.util.Objects;

/**
 * Separable image resizing over float arrays in channel-major (CHW) layout.
 *
 * <p>Enlarging is bilinear with half-pixel centres, as PyTorch's {@code interpolate(...,
 * mode="bilinear", align_corners=False)}: output pixel {@code i} reads source coordinate {@code (i
 * + 0.5) * in / out - 0.5}, clamped to the image, so edges are replicated. Shrinking uses a
 * triangle filter whose support grows with the reduction factor (the antialiased bilinear of PIL
 * and of torchvision with {@code antialias=True}), so that a 600 px photograph shrinks to 32 px
 * without aliasing instead of sampling a few scattered source pixels. Each axis is treated on its
 * own, so one axis may shrink while the other grows.
 *
 * <p>The methods that take a {@link Workspace} reuse its buffers and allocate nothing once it has
 * grown to the sizes in use; pass one per thread in hot loops such as data augmentation.
 */
public final class Resize {

  private Resize() {}

  /**
   * Scratch buffers for {@link Resize}: filter tables and the intermediate image. Not thread-safe;
   * keep one per thread.
   */
  public static final class Workspace {
    private final Axis rows = new Axis();
    private final Axis cols = new Axis();
    private float[] tmp = new float[0];

    /** Creates an empty workspace; its buffers grow on first use. */
    public Workspace() {}

    private float[] tmp(int length) {
      if (tmp.length < length) {
        tmp = new float[length];
      }
      return tmp;
    }
  }

  /**
   * Resizes a whole image into a new array.
   *
   * @param src the source image, CHW
   * @param channels the number of channels
   * @param srcH the source height
   * @param srcW the source width
   * @param dstH the output height
   * @param dstW the output width
   * @return a new array of {@code channels * dstH * dstW} values
   */
  public static float[] resize(float[] src, int channels, int srcH, int srcW, int dstH, int dstW) {
    float[] dst = new float[channels * dstH * dstW];
    resizeRegion(src, 0, channels, srcH, srcW, 0, 0, srcH, srcW, dst, 0, dstH, dstW, null);
    return dst;
  }

  /**
   * Resizes a whole image into an existing array.
   *
   * @param src the source image, CHW
   * @param srcOffset the index of the source's first value
   * @param channels the number of channels
   * @param srcH the source height
   * @param srcW the source width
   * @param dst the destination array
   * @param dstOffset the index of the first value written
   * @param dstH the output height
   * @param dstW the output width
   * @param ws reusable buffers, or null to allocate fresh ones
   */
  public static void resize(
      float[] src,
      int srcOffset,
      int channels,
      int srcH,
      int srcW,
      float[] dst,
      int dstOffset,
      int dstH,
      int dstW,
      Workspace ws) {
    resizeRegion(
        src, srcOffset, channels, srcH, srcW, 0, 0, srcH, srcW, dst, dstOffset, dstH, dstW, ws);
  }

  /**
   * Resizes a rectangular region of an image (a crop) to the output size. Only pixels inside the
   * region are read: at its border the region's own edge pixels are replicated, as when the crop is
   * cut out first and then resized.
   *
   * @param src the source image, CHW
   * @param srcOffset the index of the source's first value
   * @param channels the number of channels
   * @param srcH the source height
   * @param srcW the source width
   * @param top the region's first row
   * @param left the region's first column
   * @param regionH the region's height, at least 1
   * @param regionW the region's width, at least 1
   * @param dst the destination array
   * @param dstOffset the index of the first value written
   * @param dstH the output height
   * @param dstW the output width
   * @param ws reusable buffers, or null to allocate fresh ones
   */
  public static void resizeRegion(
      float[] src,
      int srcOffset,
      int channels,
      int srcH,
      int srcW,
      int top,
      int left,
      int regionH,
      int regionW,
      float[] dst,
      int dstOffset,
      int dstH,
      int dstW,
      Workspace ws) {
    if (channels < 1 || srcH < 1 || srcW < 1 || dstH < 1 || dstW < 1) {
      throw new IllegalArgumentException(
          "sizes must be positive: channels "
              + channels
              + ", source "
              + srcH
              + "x"
              + srcW
              + ", output "
              + dstH
              + "x"
              + dstW);
    }
    if (regionH < 1
        || regionW < 1
        || top < 0
        || left < 0
        || top + regionH > srcH
        || left + regionW > srcW) {
      throw new IllegalArgumentException(
          "region rows "
              + top
              + "+"
              + regionH
              + ", columns "
              + left
              + "+"
              + regionW
              + " is not inside the "
              + srcH
              + "x"
              + srcW
              + " image");
    }
    Objects.checkFromIndexSize(srcOffset, channels * srcH * srcW, src.length);
    Objects.checkFromIndexSize(dstOffset, channels * dstH * dstW, dst.length);
    Workspace w = ws == null ? new Workspace() : ws;

    if (regionH == dstH && regionW == dstW) {
      // Same size: every filter would be the identity, so copy rows directly.
      for (int c = 0; c < channels; c++) {
        for (int r = 0; r < dstH; r++) {
          System.arraycopy(
              src,
              srcOffset + (c * srcH + top + r) * srcW + left,
              dst,
              dstOffset + (c * dstH + r) * dstW,
              dstW);
        }
      }
      return;
    }

    Axis cols = w.cols;
    Axis rows = w.rows;
    cols.build(left, regionW, dstW);
    rows.build(0, regionH, dstH);
    // Sized for the whole source height, so that crops of varying height reuse one buffer.
    float[] tmp = w.tmp(channels * srcH * dstW);

    // Horizontal pass over the region's rows: tmp is channels x regionH x dstW.
    int colStride = cols.stride;
    for (int c = 0; c < channels; c++) {
      for (int r = 0; r < regionH; r++) {
        int rowBase = srcOffset + (c * srcH + top + r) * srcW;
        int outBase = (c * regionH + r) * dstW;
        for (int x = 0; x < dstW; x++) {
          int start = rowBase + cols.start[x];
          int n = cols.count[x];
          int wb = x * colStride;
          float s = 0f;
          for (int t = 0; t < n; t++) {
            s += cols.weights[wb + t] * src[start + t];
          }
          tmp[outBase + x] = s;
        }
      }
    }

    // Vertical pass: each output row is a weighted sum of whole rows, a loop the JIT vectorises.
    int rowStride = rows.stride;
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < dstH; y++) {
        int outBase = dstOffset + (c * dstH + y) * dstW;
        int n = rows.count[y];
        int wb = y * rowStride;
        int inBase = (c * regionH + rows.start[y]) * dstW;
        float w0 = rows.weights[wb];
        for (int x = 0; x < dstW; x++) {
          dst[outBase + x] = w0 * tmp[inBase + x];
        }
        for (int t = 1; t < n; t++) {
          float wt = rows.weights[wb + t];
          int in = inBase + t * dstW;
          for (int x = 0; x < dstW; x++) {
            dst[outBase + x] += wt * tmp[in + x];
          }
        }
      }
    }
  }

  /** The filter of one axis: for each output index, a run of source indices and their weights. */
  static final class Axis {
    int[] start = new int[0];
    int[] count = new int[0];
    float[] weights = new float[0];
    int stride;

    /**
     * Fills the table for {@code inN} source samples beginning at {@code offset} resampled to
     * {@code outN} outputs.
     */
    void build(int offset, int inN, int outN) {
      double scale = (double) inN / outN;
      if (scale > 1.0) {
        buildShrink(offset, inN, outN, scale);
      } else {
        buildEnlarge(offset, inN, outN, scale);
      }
    }

    private void ensure(int outN, int taps) {
      if (start.length < outN) {
        start = new int[outN];
        count = new int[outN];
      }
      if (weights.length < outN * taps) {
        weights = new float[outN * taps];
      }
      stride = taps;
    }

    private void buildEnlarge(int offset, int inN, int outN, double scale) {
      ensure(outN, 2);
      for (int i = 0; i < outN; i++) {
        double s = (i + 0.5) * scale - 0.5;
        if (s < 0) {
          s = 0;
        }
        int i0 = (int) s;
        if (i0 > inN - 1) {
          i0 = inN - 1;
        }
        double lambda = s - i0;
        start[i] = offset + i0;
        if (i0 + 1 < inN && lambda > 0) {
          count[i] = 2;
          weights[2 * i] = (float) (1.0 - lambda);
          weights[2 * i + 1] = (float) lambda;
        } else {
          count[i] = 1;
          weights[2 * i] = 1f;
        }
      }
    }

    private void buildShrink(int offset, int inN, int outN, double scale) {
      // A triangle of half-width `scale` source pixels covers at most 2*scale+1 of them.
      int taps = (int) Math.ceil(2 * scale) + 2;
      ensure(outN, taps);
      for (int i = 0; i < outN; i++) {
        double centre = (i + 0.5) * scale;
        int lo = Math.max(0, (int) Math.floor(centre - scale + 0.5));
        int hi = Math.min(inN, (int) Math.floor(centre + scale + 0.5));
        int base = i * taps;
        double total = 0;
        int n = 0;
        for (int j = lo; j < hi; j++) {
          double wj = 1.0 - Math.abs((j + 0.5 - centre) / scale);
          if (wj < 0) {
            wj = 0;
          }
          weights[base + n++] = (float) wj;
          total += wj;
        }
        for (int t = 0; t < n; t++) {
          weights[base + t] = (float) (weights[base + t] / total);
        }
        start[i] = offset + lo;
        count[i] = n;
      }
    }
  }
}
