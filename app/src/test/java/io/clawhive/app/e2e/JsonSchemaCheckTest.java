package io.clawhive.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JsonSchemaCheckTest {
  private final ObjectMapper json = new ObjectMapper();

  private JsonNode read(String text) throws Exception {
    return json.readTree(text.replace('\'', '"'));
  }

  @Test
  void findsWhatIsWrongAndAcceptsWhatIsRight() throws Exception {
    JsonNode root =
        read(
            "{'components':{'schemas':{'S':{'type':'string','enum':['UP','DOWN']},"
                + "'O':{'type':'object','required':['a','s'],'additionalProperties':false,"
                + "'properties':{'a':{'type':['integer','null'],'minimum':1},"
                + "'s':{'$ref':'#/components/schemas/S'},"
                + "'t':{'type':'string','format':'date-time'},"
                + "'l':{'type':'array','items':{'type':'string','maxLength':2}}}}}}}");
    JsonSchemaCheck check = new JsonSchemaCheck(root);
    JsonNode schema = read("{'$ref':'#/components/schemas/O'}");

    assertThat(
            check.problems(read("{'a':1,'s':'UP','t':'2026-01-01T00:00:00Z','l':['ab']}"), schema))
        .isEmpty();
    assertThat(check.problems(read("{'a':null,'s':'DOWN'}"), schema)).isEmpty();
    assertThat(check.problems(read("{'s':'UP'}"), schema))
        .containsExactly("$: required property 'a' is missing");
    assertThat(check.problems(read("{'a':1,'s':'UP','x':1}"), schema))
        .containsExactly("$: property 'x' is not described");
    assertThat(check.problems(read("{'a':'1','s':'UP'}"), schema)).hasSize(1);
    assertThat(check.problems(read("{'a':0,'s':'UP'}"), schema)).hasSize(1);
    assertThat(check.problems(read("{'a':1,'s':'SIDEWAYS'}"), schema)).hasSize(1);
    assertThat(check.problems(read("{'a':1,'s':'UP','t':'yesterday'}"), schema)).hasSize(1);
    assertThat(check.problems(read("{'a':1,'s':'UP','l':['abc']}"), schema))
        .containsExactly("$.l[0]: longer than 2");
    assertThat(check.problems(read("1"), read("{'type':'integer','pattern':'x'}")))
        .containsExactly("$: schema keyword 'pattern' is not understood by this check");
    assertThatThrownBy(() -> check.problems(read("1"), read("{'$ref':'#/nowhere'}")))
        .hasMessageContaining("dangling reference");
  }
}
