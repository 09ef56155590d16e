package org.picilab.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.common.converter.DefaultDataConverter;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Heartbeat details as Temporal stores them, in the current and in the old shape. */
class StageHeartbeatTest {

  private static StageHeartbeat read(Payloads payloads) {
    return DefaultDataConverter.STANDARD_INSTANCE.fromPayloads(
        0, Optional.of(payloads), StageHeartbeat.class, StageHeartbeat.class);
  }

  @Test
  void roundTripsThroughTheDataConverter() {
    StageHeartbeat beat =
        new StageHeartbeat(
            "boost",
            812,
            17,
            123456789L,
            "runs/r/e812",
            Map.of("loss", 0.5),
            410.5,
            3600,
            3,
            800,
            "gpu-1",
            1050);
    Payloads payloads = DefaultDataConverter.STANDARD_INSTANCE.toPayloads(beat).orElseThrow();
    assertEquals(beat, read(payloads));
  }

  @Test
  void readsTheDetailsOfAnActivityStartedBeforeTheUpgrade() {
    // What HeartbeatDetails(stage, epoch, batch, checkpointKey) heartbeated.
    String old =
        "{\"stage\":\"train\",\"epoch\":42,\"batch\":7,"
            + "\"checkpointKey\":\"runs/r/checkpoints/e000042-b000007.ckpt\"}";
    Payload payload =
        Payload.newBuilder()
            .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
            .setData(ByteString.copyFromUtf8(old))
            .build();
    StageHeartbeat beat = read(Payloads.newBuilder().addPayloads(payload).build());
    assertEquals("train", beat.stage());
    assertEquals(42, beat.epoch());
    assertEquals(7, beat.batch());
    assertEquals("runs/r/checkpoints/e000042-b000007.ckpt", beat.checkpointKey());
    assertEquals(0, beat.attempt(), "unknown in the old shape");
    assertEquals(0, beat.batchCounter());
    assertNull(beat.losses());
  }

  @Test
  void namesANewerCheckpointKeepingTheRest() {
    StageHeartbeat beat =
        new StageHeartbeat("train", 3, 9, 40, null, Map.of(), 0, 0, 1, 0, "w", 20)
            .withCheckpoint("runs/r/e4", 4, 0);
    assertEquals("runs/r/e4", beat.checkpointKey());
    assertEquals(4, beat.epoch());
    assertEquals(0, beat.batch());
    assertEquals(40, beat.batchCounter());
    assertEquals("w", beat.worker());
  }
}
