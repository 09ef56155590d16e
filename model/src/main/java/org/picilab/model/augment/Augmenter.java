package org.picilab.model.augment;

import java.util.Objects;
import java.util.SplittableRandom;
import org.picilab.model.config.AugmentationSpec;
import org.picilab.model.data.Resize;

/**
 * Applies an {@link AugmentationSpec} and a {@link Normalization} to one square RGB image at a
 * time.
 *
 * <p>Images are channel-major (CHW) floats in [0, 1]. The semantics follow torchvision where it has
 * the operation: RandomResizedCrop, RandomHorizontalFlip, ColorJitter (factors applied in a random
 * order, each result clamped to [0, 1]), RandomGrayscale (luma 0.299 R + 0.587 G + 0.114 B in every
 * channel), GaussianBlur (separable, reflect padding) and RandomSolarize (threshold 0.5). The
 * random draws come only from the {@link SplittableRandom} passed in, so a view is reproducible
 * when the caller derives that stream from (seed, epoch, sample, view).
 *
 * <p>An augmenter is safe to share between threads: each thread gets its own scratch buffers, so
 * after the first image no call allocates.
 */
public final class Augmenter {

  /** Luma weights of ITU-R BT.601, as PIL's "L" conversion and torchvision use. */
  private static final float LUMA_R = 0.299f;

  private static final float LUMA_G = 0.587f;
  private static final float LUMA_B = 0.114f;

  /** Blur taps lighter than this (of a kernel summing to 1) are left out; see blur(). */
  private static final float NEGLIGIBLE_TAP = 1e-9f;

  private final AugmentationSpec spec;
  private final Normalization norm;
  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

  /**
   * Creates an augmenter.
   *
   * @param spec the pipeline
   * @param norm the normalisation applied last
   */
  public Augmenter(AugmentationSpec spec, Normalization norm) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.norm = Objects.requireNonNull(norm, "norm");
  }

  /**
   * Returns the pipeline.
   *
   * @return the specification
   */
  public AugmentationSpec spec() {
    return spec;
  }

  /**
   * Returns the normalisation applied last.
   *
   * @return the normalisation
   */
  public Normalization normalization() {
    return norm;
  }

  /**
   * Returns the Gaussian blur kernel size used for an image side: {@code floor(size * fraction)}
   * made odd by the SimCLR convention {@code 2 * (k / 2) + 1} (23 for 224 px at a tenth, 9 for 96
   * px), and at least 3 so that small images are still blurred.
   *
   * @param size the image side
   * @param fraction the kernel size as a fraction of the side
   * @return the odd kernel size
   */
  public static int blurKernelSize(int size, double fraction) {
    int k = (int) (size * fraction);
    return Math.max(3, 2 * (k / 2) + 1);
  }

  /**
   * Augments and normalises one image.
   *
   * @param src the source image, {@code 3 * size * size} floats in [0, 1] from index 0
   * @param size the image side
   * @param dst the destination array
   * @param dstOffset where the {@code 3 * size * size} output values begin
   * @param rng the random stream of this view; it is advanced
   */
  public void apply(float[] src, int size, float[] dst, int dstOffset, SplittableRandom rng) {
    apply(src, 0, size, dst, dstOffset, rng);
  }

  /**
   * Augments and normalises one image read from an offset, e.g. inside a batch array.
   *
   * @param src the array holding the source image, floats in [0, 1]
   * @param srcOffset where the {@code 3 * size * size} source values begin
   * @param size the image side
   * @param dst the destination array; it may be {@code src} itself, even at the same offset,
   *     because the source is read completely before any output is written
   * @param dstOffset where the {@code 3 * size * size} output values begin
   * @param rng the random stream of this view; it is advanced
   */
  public void apply(
      float[] src, int srcOffset, int size, float[] dst, int dstOffset, SplittableRandom rng) {
    if (size < 1) {
      throw new IllegalArgumentException("image size must be positive, got " + size);
    }
    int n = 3 * size * size;
    Objects.checkFromIndexSize(srcOffset, n, src.length);
    Objects.checkFromIndexSize(dstOffset, n, dst.length);
    Objects.requireNonNull(rng, "rng");
    Scratch s = scratch.get();
    s.ensure(n);
    float[] img = s.a;

    if (spec.mode() == AugmentationSpec.Mode.WARP) {
      warp(src, srcOffset, size, img, rng);
    } else {
      resizedCrop(src, srcOffset, size, img, rng, s);
    }
    if (chance(rng, spec.flipProbability())) {
      flip(img, size);
    }
    if (chance(rng, spec.jitterProbability())) {
      colorJitter(img, size, rng, s);
    }
    if (chance(rng, spec.grayscaleProbability())) {
      grayscale(img, size);
    }
    if (chance(rng, spec.blurProbability())) {
      double sigma = uniform(rng, spec.blurSigmaMin(), spec.blurSigmaMax());
      blur(img, size, sigma, blurKernelSize(size, spec.blurKernelFraction()), s);
    }
    if (chance(rng, spec.solarizeProbability())) {
      solarize(img, n);
    }
    normalise(img, size, dst, dstOffset);
  }

  /** Draws only for probabilities strictly between 0 and 1, so presets without a step skip it. */
  private static boolean chance(SplittableRandom rng, double p) {
    if (p <= 0) {
      return false;
    }
    if (p >= 1) {
      return true;
    }
    return rng.nextDouble() < p;
  }

  private static double uniform(SplittableRandom rng, double lo, double hi) {
    return lo == hi ? lo : lo + (hi - lo) * rng.nextDouble();
  }

  // ---------------------------------------------------------------------------------------------
  // Geometry

  /**
   * torchvision's RandomResizedCrop on a square image: ten attempts at an area fraction and a
   * log-uniform aspect ratio whose rounded box fits, else the centre-crop fallback.
   */
  private void resizedCrop(
      float[] src, int srcOffset, int size, float[] out, SplittableRandom rng, Scratch s) {
    double area = (double) size * size;
    double logMin = Math.log(spec.aspectMin());
    double logMax = Math.log(spec.aspectMax());
    int w = -1;
    int h = -1;
    int top = 0;
    int left = 0;
    for (int attempt = 0; attempt < 10; attempt++) {
      double target = area * uniform(rng, spec.scaleMin(), spec.scaleMax());
      double aspect = Math.exp(uniform(rng, logMin, logMax));
      // Math.rint rounds halves to even, as Python's round() in torchvision does.
      int cw = (int) Math.rint(Math.sqrt(target * aspect));
      int ch = (int) Math.rint(Math.sqrt(target / aspect));
      if (cw > 0 && cw <= size && ch > 0 && ch <= size) {
        w = cw;
        h = ch;
        top = rng.nextInt(size - h + 1);
        left = rng.nextInt(size - w + 1);
        break;
      }
    }
    if (w < 0) {
      // The image is square, so its ratio 1 is compared with the allowed range.
      if (1.0 < spec.aspectMin()) {
        w = size;
        h = (int) Math.rint(size / spec.aspectMin());
      } else if (1.0 > spec.aspectMax()) {
        h = size;
        w = (int) Math.rint(size * spec.aspectMax());
      } else {
        w = size;
        h = size;
      }
      w = Math.max(1, Math.min(size, w));
      h = Math.max(1, Math.min(size, h));
      top = (size - h) / 2;
      left = (size - w) / 2;
    }
    Resize.resizeRegion(
        src, srcOffset, 3, size, size, top, left, h, w, out, 0, size, size, s.resize);
  }

  /**
   * One affine map from output pixel centres to source coordinates: the viewed region has area
   * {@code scale * size^2} and width/height {@code aspect}, is rotated and its centre shifted;
   * sampling is bilinear with coordinates clamped to the image (border padding).
   */
  private void warp(float[] src, int srcOffset, int size, float[] out, SplittableRandom rng) {
    double scale = uniform(rng, spec.scaleMin(), spec.scaleMax());
    double aspect = Math.exp(uniform(rng, Math.log(spec.aspectMin()), Math.log(spec.aspectMax())));
    double angle = Math.toRadians(uniform(rng, -spec.rotationDegrees(), spec.rotationDegrees()));
    double shift = spec.translateFraction() * size;
    double tx = uniform(rng, -shift, shift);
    double ty = uniform(rng, -shift, shift);
    warpAffine(src, srcOffset, size, out, scale, aspect, angle, tx, ty);
  }

  /**
   * Samples {@code out} from {@code src} through the affine map {@code source = centre + (tx, ty) +
   * R(angle) diag(sqrt(scale * aspect), sqrt(scale / aspect)) (output - centre)}, in pixel units
   * with pixel centres at half-integers; bilinear, coordinates clamped to the image.
   */
  static void warpAffine(
      float[] src,
      int srcOffset,
      int size,
      float[] out,
      double scale,
      double aspect,
      double angle,
      double tx,
      double ty) {
    double sx = Math.sqrt(scale * aspect);
    double sy = Math.sqrt(scale / aspect);
    double cos = Math.cos(angle);
    double sin = Math.sin(angle);
    double a = cos * sx;
    double b = -sin * sy;
    double c = sin * sx;
    double d = cos * sy;
    double half = size / 2.0;
    int plane = size * size;
    int last = size - 1;
    for (int v = 0; v < size; v++) {
      double dy = v + 0.5 - half;
      for (int u = 0; u < size; u++) {
        double dx = u + 0.5 - half;
        double x = half + tx + a * dx + b * dy - 0.5;
        double y = half + ty + c * dx + d * dy - 0.5;
        x = x < 0 ? 0 : (x > last ? last : x);
        y = y < 0 ? 0 : (y > last ? last : y);
        int x0 = (int) x;
        int y0 = (int) y;
        float fx = (float) (x - x0);
        float fy = (float) (y - y0);
        int x1 = x0 < last ? x0 + 1 : x0;
        int y1 = y0 < last ? y0 + 1 : y0;
        int i00 = y0 * size + x0;
        int i01 = y0 * size + x1;
        int i10 = y1 * size + x0;
        int i11 = y1 * size + x1;
        int o = v * size + u;
        for (int ch = 0; ch < 3; ch++) {
          int base = srcOffset + ch * plane;
          float top = src[base + i00] + fx * (src[base + i01] - src[base + i00]);
          float bottom = src[base + i10] + fx * (src[base + i11] - src[base + i10]);
          out[ch * plane + o] = top + fy * (bottom - top);
        }
      }
    }
  }

  private static void flip(float[] img, int size) {
    for (int row = 0; row < 3 * size; row++) {
      int lo = row * size;
      int hi = lo + size - 1;
      while (lo < hi) {
        float t = img[lo];
        img[lo++] = img[hi];
        img[hi--] = t;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Colour

  /**
   * torchvision's ColorJitter: a random order of the four adjustments, then each factor drawn (a
   * zero strength draws nothing and skips its adjustment).
   */
  private void colorJitter(float[] img, int size, SplittableRandom rng, Scratch s) {
    int[] order = s.order;
    for (int i = 0; i < 4; i++) {
      order[i] = i;
    }
    for (int i = 3; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    double b = spec.brightness();
    double c = spec.contrast();
    double sat = spec.saturation();
    double h = spec.hue();
    float brightness = b > 0 ? (float) uniform(rng, Math.max(0, 1 - b), 1 + b) : Float.NaN;
    float contrast = c > 0 ? (float) uniform(rng, Math.max(0, 1 - c), 1 + c) : Float.NaN;
    float saturation = sat > 0 ? (float) uniform(rng, Math.max(0, 1 - sat), 1 + sat) : Float.NaN;
    float hue = h > 0 ? (float) uniform(rng, -h, h) : Float.NaN;
    int plane = size * size;
    for (int op : order) {
      switch (op) {
        case 0:
          if (!Float.isNaN(brightness)) {
            adjustBrightness(img, 3 * plane, brightness);
          }
          break;
        case 1:
          if (!Float.isNaN(contrast)) {
            adjustContrast(img, plane, contrast);
          }
          break;
        case 2:
          if (!Float.isNaN(saturation)) {
            adjustSaturation(img, plane, saturation);
          }
          break;
        default:
          if (!Float.isNaN(hue)) {
            adjustHue(img, plane, hue);
          }
          break;
      }
    }
  }

  /** Math.min/max rather than comparisons: C2 turns them into vector min/max, 20x faster. */
  private static float clamp01(float v) {
    return Math.min(1f, Math.max(0f, v));
  }

  /** Blend with black: {@code x * f}, clamped. */
  static void adjustBrightness(float[] img, int n, float f) {
    for (int i = 0; i < n; i++) {
      img[i] = clamp01(img[i] * f);
    }
  }

  /** Blend with the mean luma of the whole image, clamped. */
  static void adjustContrast(float[] img, int plane, float f) {
    double sum = 0;
    for (int j = 0; j < plane; j++) {
      sum += LUMA_R * img[j] + LUMA_G * img[plane + j] + LUMA_B * img[2 * plane + j];
    }
    float mean = (float) (sum / plane);
    float offset = (1f - f) * mean;
    for (int i = 0; i < 3 * plane; i++) {
      img[i] = clamp01(f * img[i] + offset);
    }
  }

  /** Blend with each pixel's own luma, clamped. */
  static void adjustSaturation(float[] img, int plane, float f) {
    float g = 1f - f;
    for (int j = 0; j < plane; j++) {
      float r = img[j];
      float gr = img[plane + j];
      float bl = img[2 * plane + j];
      float luma = LUMA_R * r + LUMA_G * gr + LUMA_B * bl;
      img[j] = clamp01(f * r + g * luma);
      img[plane + j] = clamp01(f * gr + g * luma);
      img[2 * plane + j] = clamp01(f * bl + g * luma);
    }
  }

  /**
   * Rotates the hue in HSV by {@code shift} turns; greys (no chroma) stay as they are.
   *
   * <p>A hue rotation keeps V = max and S, hence also min and the chroma max - min, so the new
   * colour is min + chroma * (a piecewise-linear function of the new hue) per channel. Written
   * without branches, the loop does not stall on the per-pixel choice of the dominant channel. It
   * equals torchvision's rgb-to-hsv-to-rgb round trip up to float rounding.
   */
  static void adjustHue(float[] img, int plane, float shift) {
    for (int j = 0; j < plane; j++) {
      float r = img[j];
      float g = img[plane + j];
      float b = img[2 * plane + j];
      float max = Math.max(r, Math.max(g, b));
      float min = Math.min(r, Math.min(g, b));
      float chroma = max - min;
      float inv = chroma > 0f ? 1f / chroma : 0f;
      // The hue in sixths of a turn, by the channel holding the maximum (red first on ties).
      float h6 = max == r ? (g - b) * inv : max == g ? 2f + (b - r) * inv : 4f + (r - g) * inv;
      float h = h6 / 6f + shift;
      h -= (float) Math.floor(h);
      float x = 6f * h;
      float wr = clamp01(Math.abs(x - 3f) - 1f);
      float wg = clamp01(2f - Math.abs(x - 2f));
      float wb = clamp01(2f - Math.abs(x - 4f));
      img[j] = min + chroma * wr;
      img[plane + j] = min + chroma * wg;
      img[2 * plane + j] = min + chroma * wb;
    }
  }

  private static void grayscale(float[] img, int size) {
    int plane = size * size;
    for (int j = 0; j < plane; j++) {
      float luma = LUMA_R * img[j] + LUMA_G * img[plane + j] + LUMA_B * img[2 * plane + j];
      img[j] = luma;
      img[plane + j] = luma;
      img[2 * plane + j] = luma;
    }
  }

  private static void solarize(float[] img, int n) {
    for (int i = 0; i < n; i++) {
      if (img[i] >= 0.5f) {
        img[i] = 1f - img[i];
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Blur

  /**
   * Separable Gaussian blur as torchvision's: kernel {@code exp(-x^2 / (2 sigma^2))} over {@code k}
   * taps centred on 0, normalised; reflect padding (the edge pixel is not repeated).
   *
   * <p>Taps whose normalised weight is below {@link #NEGLIGIBLE_TAP} are skipped: they change no
   * output by more than about 1e-9, and for the small sigmas that are typical they are most of the
   * kernel. Both passes are written as {@code acc[x] += w * row[x]} over separate arrays with the
   * same index, the only form C2 vectorises, which makes the blur several times faster.
   */
  private static void blur(float[] img, int size, double sigma, int k, Scratch s) {
    int half = k / 2;
    float[] kernel = s.kernel(k);
    double total = 0;
    for (int t = 0; t < k; t++) {
      double x = (t - half) / sigma;
      double w = Math.exp(-0.5 * x * x);
      kernel[t] = (float) w;
      total += w;
    }
    for (int t = 0; t < k; t++) {
      kernel[t] = (float) (kernel[t] / total);
    }
    // The kernel is symmetric, so the taps kept are [first, k - 1 - first].
    int first = 0;
    while (first < half && kernel[first] < NEGLIGIBLE_TAP) {
      first++;
    }
    int last = k - 1 - first;
    int plane = size * size;
    float[][] rows = s.rows(3 * size, size);
    float[] padded = s.row(size + 2 * half);
    float[] shifted = s.shifted(size);

    // Horizontal pass into rows: reflect-pad one image row, then add shifted copies of it.
    for (int r = 0; r < 3 * size; r++) {
      int base = r * size;
      for (int j = first; j < size + 2 * half - first; j++) {
        padded[j] = img[base + reflect(j - half, size)];
      }
      float[] out = rows[r];
      System.arraycopy(padded, first, shifted, 0, size);
      float w0 = kernel[first];
      for (int x = 0; x < size; x++) {
        out[x] = w0 * shifted[x];
      }
      for (int t = first + 1; t <= last; t++) {
        System.arraycopy(padded, t, shifted, 0, size);
        float wt = kernel[t];
        for (int x = 0; x < size; x++) {
          out[x] += wt * shifted[x];
        }
      }
    }
    // Vertical pass back into img: each output row is a weighted sum of reflected rows.
    float[] acc = shifted;
    for (int ch = 0; ch < 3; ch++) {
      int rowBase = ch * size;
      for (int y = 0; y < size; y++) {
        float[] in0 = rows[rowBase + reflect(y + first - half, size)];
        float w0 = kernel[first];
        for (int x = 0; x < size; x++) {
          acc[x] = w0 * in0[x];
        }
        for (int t = first + 1; t <= last; t++) {
          float[] in = rows[rowBase + reflect(y + t - half, size)];
          float wt = kernel[t];
          for (int x = 0; x < size; x++) {
            acc[x] += wt * in[x];
          }
        }
        System.arraycopy(acc, 0, img, ch * plane + y * size, size);
      }
    }
  }

  /** Mirror an index into [0, n) without repeating the edge (numpy/PyTorch "reflect"). */
  static int reflect(int i, int n) {
    if (n == 1) {
      return 0;
    }
    int period = 2 * (n - 1);
    int m = Math.floorMod(i, period);
    return m < n ? m : period - m;
  }

  // ---------------------------------------------------------------------------------------------
  // Output

  private void normalise(float[] img, int size, float[] dst, int dstOffset) {
    int plane = size * size;
    if (norm.isIdentity()) {
      System.arraycopy(img, 0, dst, dstOffset, 3 * plane);
      return;
    }
    for (int c = 0; c < 3; c++) {
      float mean = norm.meanOf(c);
      float inv = 1f / norm.stdOf(c);
      int base = c * plane;
      int out = dstOffset + base;
      for (int j = 0; j < plane; j++) {
        dst[out + j] = (img[base + j] - mean) * inv;
      }
    }
  }

  /** Per-thread buffers, grown to the largest image seen. */
  private static final class Scratch {
    float[] a = new float[0];
    float[] row = new float[0];
    float[] shifted = new float[0];
    float[] kernel = new float[0];
    float[][] rows = new float[0][0];
    final int[] order = new int[4];
    final Resize.Workspace resize = new Resize.Workspace();

    void ensure(int n) {
      if (a.length < n) {
        a = new float[n];
      }
    }

    float[] row(int n) {
      if (row.length < n) {
        row = new float[n];
      }
      return row;
    }

    float[] shifted(int n) {
      if (shifted.length < n) {
        shifted = new float[n];
      }
      return shifted;
    }

    /** Rows as separate arrays, so that the vertical blur pass vectorises; reshaped on demand. */
    float[][] rows(int count, int length) {
      if (rows.length != count || rows[0].length != length) {
        rows = new float[count][length];
      }
      return rows;
    }

    float[] kernel(int k) {
      if (kernel.length < k) {
        kernel = new float[k];
      }
      return kernel;
    }
  }
}
