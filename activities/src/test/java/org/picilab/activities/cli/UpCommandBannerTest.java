package org.picilab.activities.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.picilab.platform.stack.EmbeddedStack;
import org.picilab.platform.stack.PlatformSettings;

/** The banner of {@code pici up}, printed by a real embedded stack, shows no credential. */
@Timeout(120)
class UpCommandBannerTest {

  @TempDir Path home;

  @Test
  void bannerOfARunningStackShowsNoCredential() throws Exception {
    String password = "s3cr3t-pw";
    String token = "tok-9f8e7d";
    String keyId = "AKIAIOSFODNN7EXAMPLE";
    String secret = "wJalrXUtnFEMI-secret";
    PlatformSettings base =
        PlatformSettings.resolve(
            Map.of(
                "PICI_HOME",
                home.toString(),
                "MLFLOW_TRACKING_URI",
                "https://alice:" + password + "@mlflow:5000/?token=" + token,
                "PICI_S3_ACCESS_KEY",
                keyId,
                "PICI_S3_SECRET_KEY",
                secret),
            false);
    String banner;
    try (EmbeddedStack stack = EmbeddedStack.start(base, true, 0, true, 0)) {
      banner =
          UpCommand.banner(
              stack.settings(), stack.embeddedTemporal(), stack.embeddedS3(), 42, 1, "q", "cpu()");
    }
    for (String s : new String[] {password, token, keyId, secret}) {
      assertFalse(banner.contains(s), "'" + s + "' shown in:\n" + banner);
    }
    assertTrue(banner.contains("MLflow https://***@mlflow:5000/?token=***"), banner);
    assertTrue(banner.contains("  Temporal   127.0.0.1:"), banner);
    assertTrue(banner.contains("  S3         http://127.0.0.1:"), banner);
  }
}
