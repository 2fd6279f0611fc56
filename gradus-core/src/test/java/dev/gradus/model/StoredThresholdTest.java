package dev.gradus.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.io.MetadataCodec;
import dev.gradus.io.MetadataException;
import dev.gradus.io.ModelFile;
import dev.gradus.io.ModelMetadata;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A decision threshold stored in the model ({@link Model#withThreshold}): it round-trips through
 * the model file as format version 3 (files without one keep their older version), an older
 * version's file cannot claim one, and only two-class models with probabilities take one.
 */
class StoredThresholdTest {
    @TempDir
    Path dir;

    @Test
    void aStoredThresholdRoundTripsAsFormatVersion3() throws Exception {
        Model plain = ModelFixtures.threshold().withoutThreshold();
        Path p0 = dir.resolve("plain.gradus");
        plain.save(p0);
        assertEquals(1, ModelFile.readModel(p0).metadata().version().format());
        assertEquals(Optional.empty(), Model.load(p0).decision());

        Model decided = plain.withThreshold(0.7);          // the second class, "ok"
        Path p1 = dir.resolve("decided.gradus");
        decided.save(p1);
        assertEquals(3, ModelFile.readModel(p1).metadata().version().format());
        assertEquals(Optional.of(new ModelMetadata.Decision("ok", 0.7)), Model.load(p1).decision());
    }

    @Test
    void anOlderVersionCannotClaimADecision() {
        Model decided = ModelFixtures.threshold();
        Map<String, String> entries = MetadataCodec.encode(decided.metadata());
        MetadataException e = assertThrows(MetadataException.class,
                () -> MetadataCodec.decode(entries, new ModelMetadata.FileVersion(2, "test")));
        assertTrue(e.getMessage().contains("decision") && e.getMessage().contains("version 3"), e.getMessage());
        Map<String, String> bad = new java.util.LinkedHashMap<>(entries);
        bad.put(MetadataCodec.DECISION, "{\"positive\":\"fraud\",\"threshold\":\"1.5\"}");
        assertThrows(MetadataException.class, () -> MetadataCodec.decode(bad, new ModelMetadata.FileVersion(3, "t")));
    }

    @Test
    void onlyTwoClassModelsWithProbabilitiesTakeAThreshold() {
        IllegalArgumentException three = assertThrows(IllegalArgumentException.class,
                () -> ModelFixtures.classification().withThreshold(0.5));
        assertTrue(three.getMessage().contains("two classes"), three.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelFixtures.regression().withThreshold(0.5));
        assertThrows(IllegalArgumentException.class, () -> ModelFixtures.threshold().withThreshold("zebra", 0.5));
        assertThrows(IllegalArgumentException.class, () -> ModelFixtures.threshold().withThreshold(1.5));
    }
}
