package org.picilab.platform.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.picilab.platform.stack.PlatformSettings;
import org.picilab.platform.store.EmbeddedS3;
import org.picilab.platform.store.RetryPolicy;
import org.picilab.platform.store.S3ObjectStore;
import org.picilab.platform.store.S3Settings;
import org.picilab.platform.tracking.MlflowTracker;

/** The real messages of the platform carry no credential: settings, errors and the tracker. */
class CredentialsNotShownTest {

  private static final String PASSWORD = "s3cr3t-pw";
  private static final String TOKEN = "tok-9f8e7d";
  private static final String KEY_ID = "AKIAIOSFODNN7EXAMPLE";
  private static final String SECRET = "wJalrXUtnFEMI-secret";

  @TempDir Path home;

  private static void assertClean(String text) {
    for (String secret : new String[] {PASSWORD, TOKEN, KEY_ID, SECRET}) {
      assertFalse(text.contains(secret), "'" + secret + "' shown in: " + text);
    }
  }

  @Test
  void settingsAsAWorkerPrintsThem() throws IOException {
    PlatformSettings settings =
        PlatformSettings.resolve(
            Map.of(
                "PICI_HOME",
                home.toString(),
                "MLFLOW_TRACKING_URI",
                "https://alice:" + PASSWORD + "@mlflow:5000/?token=" + TOKEN,
                "PICI_S3_ACCESS_KEY",
                KEY_ID,
                "PICI_S3_SECRET_KEY",
                SECRET));
    String shown = settings.toString() + " " + settings.s3();
    assertClean(shown);
    assertTrue(shown.contains("https://***@mlflow:5000/?token=***"), shown);
    assertTrue(shown.contains("AK***"), shown);
  }

  @Test
  void anEndpointWithUserInfoIsRefusedWithoutShowingIt() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                S3Settings.fromEnv(
                    Map.of("PICI_S3_ENDPOINT", "http://" + KEY_ID + ":" + PASSWORD + "@minio:9000"),
                    PlatformSettings.defaults(home).s3()));
    assertClean(e.getMessage());
    assertTrue(e.getMessage().startsWith("PICI_S3_ENDPOINT must name only scheme"), e.getMessage());
  }

  @Test
  void anUnusableTrackingUriIsRefusedWithoutShowingIt() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new MlflowTracker("ftp://alice:" + PASSWORD + "@mlflow/?token=" + TOKEN));
    assertClean(e.getMessage());
    assertTrue(e.getMessage().contains("ftp://***@mlflow/?token=***"), e.getMessage());
    assertClean(new MlflowTracker("http://alice:" + PASSWORD + "@127.0.0.1:1").toString());
  }

  @Test
  void wrongCredentialsAreReportedWithTheKeyIdMasked() throws IOException {
    try (EmbeddedS3 s3 = EmbeddedS3.start(home.resolve("s3"), 0, "right-key", "right-secret")) {
      S3Settings wrong = new S3Settings(s3.endpoint(), KEY_ID, SECRET, "pici", "us-east-1");
      IOException e =
          assertThrows(
              IOException.class,
              () ->
                  S3ObjectStore.connect(
                      wrong, new RetryPolicy(1, java.time.Duration.ofMillis(1)), (k, t) -> {}));
      assertClean(e.getMessage());
      assertTrue(e.getMessage().contains("(access key AK***)"), e.getMessage());
    }
  }
}
