import { htmlToText, normalizePlainText } from '../../../shared/connectors/graph/html-to-text';
import { textToHtml } from '../../../sandbox/graph/event-render';

describe('HTML → plain text', () => {
  test('keeps the visible text and line structure of an Outlook body', () => {
    const html =
      '<html><head><meta charset="utf-8"><style>p{color:red}</style></head><body>' +
      '<div>Agenda:</div><ul><li>Prices &amp; volumes</li><li>Q&lt;4&gt;</li></ul><p>See you<br>Li&nbsp;Wei</p>' +
      '<!-- hidden --></body></html>';
    expect(htmlToText(html)).toBe('Agenda:\n- Prices & volumes\n- Q<4>\nSee you\nLi Wei');
  });

  test('decodes numeric entities and ignores source line breaks', () => {
    expect(htmlToText('<p>caf&#233;\r\n  &#x4E2D;&#25991;</p>')).toBe('café 中文');
  });

  test('a text body survives Outlook storing it as HTML', () => {
    for (const text of ['one line', 'first\nsecond', 'a\n\nb', 'x < y & "z"']) {
      expect(htmlToText(textToHtml(text))).toBe(text);
    }
  });

  test('plain text is normalised: CRLF, trailing blanks, outer whitespace', () => {
    expect(normalizePlainText('  a  \r\nb\t\r\n\r\n')).toBe('a\nb');
  });
});
