package dev.gradus.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.io.MetadataCodec;
import dev.gradus.tensor.Matrix;
import java.io.StringReader;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** One column-type policy: ids left out, rare categories in "other", dates as numbers, unseen categories. */
class ColumnTypesTest {

    /** 200 rows: an id (distinct per row), a date, a city of 30 values (5 frequent), a number and a label. */
    private static Table messy() throws DataException {
        StringBuilder csv = new StringBuilder("customer,signup,city,spend,label\n");
        for (int i = 0; i < 200; i++) {
            String city = i % 2 == 0 ? "c" + (i % 10) : "rare" + (i % 50);
            String date = i % 17 == 0 ? "" : LocalDate.of(2020, 1, 1).plusDays(i * 3L).toString();
            csv.append(String.format(Locale.ROOT, "C%05d,%s,%s,%.2f,%s%n", 1000 + i, date, city, i * 1.5,
                    i % 3 == 0 ? "yes" : "no"));
        }
        return Csv.read(new StringReader(csv.toString()), "messy.csv");
    }

    @Test
    void idsAreLeftOutWithAWarningAndCategoricalKeepsThem() throws DataException {
        Table t = messy();
        List<String> warnings = new ArrayList<>();
        DataSpec spec = DataSpec.classification("label").withImpute(Impute.MEDIAN).withMaxCategories(8);
        Preprocessing p = Preprocessing.fit(t, spec, warnings::add);
        assertFalse(p.featureNames().contains("customer"));
        assertEquals("customer", p.leftOut().get(0).name());
        assertTrue(warnings.get(0).startsWith("column 'customer' is left out: 200 distinct values in 200 rows"),
                warnings.toString());
        assertTrue(warnings.get(0).contains("--categorical customer"), warnings.toString());
        Preprocessing kept = Preprocessing.fit(t, spec.withCategorical(List.of("customer")), w -> { });
        assertTrue(kept.featureNames().contains("customer"));
    }

    @Test
    void rareCategoriesShareOneOtherInput() throws DataException {
        Table t = messy();
        List<String> warnings = new ArrayList<>();
        Preprocessing p = Preprocessing.fit(t, DataSpec.classification("label").withImpute(Impute.MEDIAN)
                .withMaxCategories(5), warnings::add);
        Preprocessing.Feature city = p.features().get(p.featureNames().indexOf("city"));
        assertEquals(List.of("c0", "c2", "c4", "c6", "c8"), city.categories(), "the 5 most frequent (20 rows each)");
        assertTrue(city.other());
        assertEquals(6, city.width());
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith("column 'city' has 30 categories: the 5 most "
                + "frequent get an input each, the other 25 (100 rows) share one '<other>' input")), warnings.toString());
        Matrix x = p.features(t);
        int other = p.inputNames().indexOf("city=<other>");
        assertTrue(other >= 0);
        assertEquals(1f, x.get(1, other), "row 1 is rare1");
        // An unseen category goes to "other" too.
        Table unseen = Csv.read(new StringReader("customer,signup,city,spend,label\nX,2021-05-05,Atlantis,3,no\n"),
                "new.csv");
        assertEquals(1f, p.features(unseen).get(0, other));
    }

    @Test
    void datesBecomeDaysMonthAndWeekday() throws DataException {
        Table t = messy();
        Preprocessing p = Preprocessing.fit(t, DataSpec.classification("label").withImpute(Impute.MEDIAN)
                .withScaling(Scaling.NONE), w -> { });
        Preprocessing.Feature signup = p.features().get(p.featureNames().indexOf("signup"));
        assertTrue(signup.date());
        int days = p.inputNames().indexOf("signup.days");
        assertEquals(List.of("signup.days", "signup.month", "signup.weekday"), p.inputNames().subList(days, days + 3));
        Matrix x = p.features(t);
        LocalDate d = LocalDate.of(2020, 1, 4);   // row 1: 2020-01-01 + 3 days, a Saturday
        assertEquals((float) d.toEpochDay(), x.get(1, days));
        assertEquals(1f, x.get(1, days + 1));
        assertEquals(6f, x.get(1, days + 2));
        // Row 0 is missing: the median date fills it.
        assertEquals(LocalDate.parse(signup.fill()).toEpochDay(), (long) x.get(0, days));
        double[] t2 = IsoDates.values("2024-03-01T18:00:00+02:00");
        assertEquals(LocalDate.of(2024, 3, 1).toEpochDay() + 16 / 24.0, t2[0], 1e-9);
        assertEquals(5, t2[2], "a Friday");
    }

    @Test
    void unseenCategoryNamesColumnLineValueAndAFewKnownOnes() throws Exception {
        StringBuilder csv = new StringBuilder("city,label\n");
        for (int i = 0; i < 400; i++) {
            csv.append("town").append(i % 40).append(',').append(i % 2).append('\n');
        }
        Table t = Csv.read(new StringReader(csv.toString()), "train.csv");
        Preprocessing p = Preprocessing.fit(t, DataSpec.classification("label"));
        Table unseen = Csv.read(new StringReader("city,label\ntown1,0\nZurich,1\n"), "new.csv");
        DataException e = assertThrows(DataException.class, () -> p.features(unseen));
        assertEquals("new.csv: line 3, column 'city': unknown category 'Zurich' (known: town0, town1, town10, "
                + "town11, town12 … and 35 more); train with --unknown ignore to encode unseen categories as all "
                + "zeros", e.getMessage());
        Preprocessing ignoring = Preprocessing.fit(t, DataSpec.classification("label")
                .withUnknown(UnknownCategory.IGNORE));
        Matrix x = ignoring.features(unseen);
        float sum = 0;
        for (int j = 0; j < x.cols(); j++) {
            sum += x.get(1, j);
        }
        assertEquals(0f, sum, "all zeros");
        assertEquals(2, ignoring.formatVersion());
        assertEquals(1, p.formatVersion());
        assertEquals(ignoring, MetadataCodec.preprocessing(MetadataCodec.preprocessing(ignoring)));
    }

    @Test
    void newTransformationsSurviveTheStoredForm() throws Exception {
        Preprocessing p = Preprocessing.fit(messy(), DataSpec.classification("label").withImpute(Impute.MEAN)
                .withMaxCategories(5), w -> { });
        assertEquals(p, MetadataCodec.preprocessing(MetadataCodec.preprocessing(p)));
        assertEquals(2, p.formatVersion());
    }
}
