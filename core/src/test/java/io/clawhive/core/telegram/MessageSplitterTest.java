package io.clawhive.core.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MessageSplitterTest {

  @Test
  void shortTextIsOnePiece() {
    assertThat(MessageSplitter.split("hello")).containsExactly("hello");
    assertThat(MessageSplitter.split("x".repeat(4096))).hasSize(1);
  }

  @Test
  void prefersParagraphsThenLinesThenSpaces() {
    assertThat(MessageSplitter.split("aaaa\n\nbb\ncc", 9)).containsExactly("aaaa", "bb\ncc");
    assertThat(MessageSplitter.split("aaaa\nbbbb\ncccc", 10)).containsExactly("aaaa\nbbbb", "cccc");
    assertThat(MessageSplitter.split("one two three", 8)).containsExactly("one two", "three");
  }

  @Test
  void cutsHardWithoutBreakingSurrogatePairs() {
    String emoji = "\uD83D\uDE00";
    List<String> pieces = MessageSplitter.split("abc" + emoji + "def", 4);
    assertThat(pieces).allSatisfy(p -> assertThat(p.length()).isLessThanOrEqualTo(4));
    assertThat(String.join("", pieces)).isEqualTo("abc" + emoji + "def");
    assertThat(pieces).noneMatch(p -> Character.isHighSurrogate(p.charAt(p.length() - 1)));
  }

  @Test
  void everyPieceFitsAndNothingIsLost() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 500; i++) {
      text.append("line ").append(i).append(" ").append("w".repeat(i % 60)).append('\n');
      if (i % 7 == 0) {
        text.append('\n');
      }
    }
    List<String> pieces = MessageSplitter.split(text.toString());
    assertThat(pieces)
        .hasSizeGreaterThan(1)
        .allSatisfy(p -> assertThat(p.length()).isBetween(1, 4096));
    assertThat(String.join("", pieces).replaceAll("\\s", ""))
        .isEqualTo(text.toString().replaceAll("\\s", ""));
  }
}
