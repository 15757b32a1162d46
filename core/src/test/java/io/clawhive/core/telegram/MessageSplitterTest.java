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

  @Test
  void anEightMillionCharacterAnswerIsSplitInOnePass() {
    // quadratic splitting copied the remainder once per piece: ~2,000 copies of up to 8 MB
    String words = "word ".repeat(1_600_000); // 8,000,000 characters
    long started = System.nanoTime();
    List<String> pieces = MessageSplitter.split(words);
    System.out.printf(
        "split of %,d chars into %,d pieces took %d ms%n",
        words.length(), pieces.size(), (System.nanoTime() - started) / 1_000_000);
    // every piece but the last ends at the last space that fits: 818 words, 4,094 characters
    assertThat(pieces.subList(0, pieces.size() - 1)).allSatisfy(p -> assertThat(p).hasSize(4094));
    assertThat(pieces).hasSize(1954);
    assertThat(String.join(" ", pieces).strip()).isEqualTo(words.strip());
  }

  @Test
  void aTextWithoutBreaksIsCutHard() {
    String text = "x".repeat(10_000);
    assertThat(MessageSplitter.split(text, 4096))
        .extracting(String::length)
        .containsExactly(4096, 4096, 1808);
  }
}
