/*
 * test_strip.c: reply stripping and HTML to text. Each case is a message
 * as a mail client writes it (Gmail, Apple Mail, iOS, Outlook desktop,
 * web, Mac and mobile, Thunderbird, Yahoo, in four languages) and what
 * the person wrote, worked out by hand (the cases marked issue 17, item
 * 9 each failed before it was fixed); then HTML parts, alone and
 * followed by stripping, and hostile sizes and nesting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mingle/inbound.h"

struct strip_case {
    const char *name;
    const char *in;
    const char *out;
};

static const struct strip_case strip_cases[] = {
    {"gmail",
     "Loved chapter three, especially the storm.\n"
     "\n"
     "On Tue, 3 Mar 2027 at 19:30, Ann Smith <ann@x.org> wrote:\n"
     "\n"
     "> What did everyone think of chapter three?\n"
     ">\n"
     "> Ann\n",
     "Loved chapter three, especially the storm."},
    /* Gmail wraps a long attribution after the '<' */
    {"gmail_wrapped",
     "Agreed, the ending felt rushed.\n"
     "\n"
     "On Tue, Mar 3, 2027 at 7:30 PM Ann Katherine Smith-Worthington <\n"
     "ann.smith-worthington@library.example.org> wrote:\n"
     "\n"
     "> Did the ending work for you?\n",
     "Agreed, the ending felt rushed."},
    {"apple_mail",
     "I'll bring biscuits.\n"
     "\n"
     "Kind regards,\n"
     "Hemi\n"
     "\n"
     "On 3 Mar 2027, at 19:30, Ann Smith <ann@x.org> wrote:\n"
     "\n"
     "> Who is hosting next week?\n",
     "I'll bring biscuits.\n\nKind regards,\nHemi"},
    /* iOS quotes the attribution itself */
    {"ios_mail",
     "Running late, start without me\n"
     "\n"
     "Sent from my iPhone\n"
     "\n"
     "> On 3 Mar 2027, at 19:30, Ann Smith <ann@x.org> wrote:\n"
     "> \n"
     "> See you at 7.30 on Zoom.\n",
     "Running late, start without me"},
    {"outlook_original_message",
     "Thanks Ann, see you Tuesday.\r\n"
     "\r\n"
     "Hemi\r\n"
     "\r\n"
     "-----Original Message-----\r\n"
     "From: Ann Smith <ann@x.org> \r\n"
     "Sent: Tuesday, 3 March 2027 7:30 PM\r\n"
     "To: Book Circle <circle@x.org>\r\n"
     "Subject: Week 3: The Luminaries\r\n"
     "\r\n"
     "Hi all,\r\n"
     "Who is in?\r\n",
     "Thanks Ann, see you Tuesday.\n\nHemi"},
    {"outlook_desktop_block",
     "Count me in.\n"
     "\n"
     "From: Ann Smith <ann@x.org>\n"
     "Sent: Tuesday, 3 March 2027 7:30 PM\n"
     "To: Book Circle <circle@x.org>\n"
     "Cc: Hemi Walker <hemi@x.org>\n"
     "Subject: Week 3\n"
     "\n"
     "Who is in?\n",
     "Count me in."},
    {"outlook_web",
     "Yes please, put me down for the Thursday group.\n"
     "\n"
     "________________________________\n"
     "From: Ann Smith <ann@x.org>\n"
     "Sent: Tuesday, March 3, 2027 7:30 PM\n"
     "To: circle@x.org <circle@x.org>\n"
     "Subject: Re: Groups for term 2\n"
     "\n"
     "Which group suits you?\n",
     "Yes please, put me down for the Thursday group."},
    {"outlook_mac",
     "Lovely, thank you.\n"
     "\n"
     "From: Ann Smith <ann@x.org>\n"
     "Date: Tuesday, 3 March 2027 at 19:30\n"
     "To: Hemi Walker <hemi@x.org>\n"
     "Subject: Week 3 notes\n"
     "\n"
     "Notes attached.\n",
     "Lovely, thank you."},
    {"outlook_android",
     "Thanks!\n"
     "\n"
     "Get Outlook for Android<https://aka.ms/ghei36>\n"
     "________________________________\n"
     "From: Ann Smith <ann@x.org>\n"
     "Sent: Tuesday, March 3, 2027 7:30:12 PM\n"
     "To: Hemi Walker <hemi@x.org>\n"
     "Subject: Week 3\n"
     "\n"
     "Are you coming?\n",
     "Thanks!"},
    {"outlook_german",
     "Danke!\n"
     "\n"
     "-----Ursprüngliche Nachricht-----\n"
     "Von: Ann Smith <ann@x.org>\n"
     "Gesendet: Dienstag, 3. März 2027 19:30\n"
     "An: Lesekreis <circle@x.org>\n"
     "Betreff: Woche 3\n"
     "\n"
     "Hallo\n",
     "Danke!"},
    /* French puts a space before the colon */
    {"outlook_french_block",
     "Merci !\n"
     "\n"
     "De : Ann Smith <ann@x.org>\n"
     "Envoyé : mardi 3 mars 2027 19:30\n"
     "À : Cercle <circle@x.org>\n"
     "Objet : Semaine 3\n"
     "\n"
     "Bonjour\n",
     "Merci !"},
    {"thunderbird",
     "I disagree with Ann about the narrator.\n"
     "\n"
     "On 03/03/2027 19:30, Ann Smith wrote:\n"
     "> The narrator is reliable throughout.\n",
     "I disagree with Ann about the narrator."},
    /* Yahoo does not prefix the quote: all after the attribution goes */
    {"yahoo",
     "See you then!\n"
     "\n"
     "\n"
     "On Tuesday, March 3, 2027, 07:30:00 PM GMT+13, Ann Smith "
     "<ann@x.org> wrote:\n"
     "\n"
     "\n"
     "We meet at 7.30 in the library.\n",
     "See you then!"},
    {"german",
     "Bin dabei, bis Dienstag.\n"
     "\n"
     "Am Di., 3. März 2027 um 19:30 Uhr schrieb Ann Smith <ann@x.org>:\n"
     "\n"
     "> Wer kommt am Dienstag?\n",
     "Bin dabei, bis Dienstag."},
    {"french",
     "Merci, à mardi !\n"
     "\n"
     "Le mar. 3 mars 2027 à 19:30, Ann Smith <ann@x.org> a écrit :\n"
     "\n"
     "> Qui vient mardi ?\n",
     "Merci, à mardi !"},
    {"spanish",
     "¡Gracias! Nos vemos el martes.\n"
     "\n"
     "El mar, 3 mar 2027 a las 19:30, Ann Smith (<ann@x.org>) escribió:\n"
     "\n"
     "> ¿Quién viene el martes?\n",
     "¡Gracias! Nos vemos el martes."},
    {"dutch",
     "Tot dinsdag!\n"
     "\n"
     "Op di 3 mrt. 2027 om 19:30 schreef Ann Smith <ann@x.org>:\n"
     "\n"
     "> Wie komt er?\n",
     "Tot dinsdag!"},
    {"signature",
     "Chapter four dragged for me.\n"
     "\n"
     "-- \n"
     "Hemi Walker\n"
     "Wellington Central Library book circle\n",
     "Chapter four dragged for me."},
    {"signature_bare_dashes",
     "Great pick for next month.\n"
     "--\n"
     "Aroha\n"
     "021 555 0123\n",
     "Great pick for next month."},
    /* "--" followed by more than a signature's worth of lines is prose */
    {"bare_dashes_in_prose",
     "Three things stood out:\n"
     "--\n"
     "the storm,\n"
     "the letters,\n"
     "the gold,\n"
     "the ship,\n"
     "the trial,\n"
     "and the ending.\n",
     "Three things stood out:\n--\nthe storm,\nthe letters,\nthe gold,\n"
     "the ship,\nthe trial,\nand the ending."},
    {"signature_only", "-- \nHemi Walker\n", ""},
    {"sent_from_iphone", "See you there\n\nSent from my iPhone\n",
     "See you there"},
    {"sent_from_mail_for_windows",
     "I can host week 4.\n\nSent from Mail for Windows\n\n",
     "I can host week 4."},
    /* only at the end: here it is part of what the person wrote */
    {"sent_from_mid_text",
     "Sent from my iPhone, so forgive the typos.\n"
     "\n"
     "I think the narrator lies.\n",
     "Sent from my iPhone, so forgive the typos.\n\nI think the narrator "
     "lies."},
    {"inline_answers",
     "On Tue, 3 Mar 2027 at 19:30, Ann Smith <ann@x.org> wrote:\n"
     "> Did you finish the book?\n"
     "\n"
     "Nearly, two chapters to go.\n"
     "\n"
     "> Can you bring the snacks?\n"
     "Yes, I'll bring fruit.\n"
     "> See you Tuesday.\n",
     "Nearly, two chapters to go.\n\nYes, I'll bring fruit."},
    {"nested_quotes",
     "Me too.\n"
     "\n"
     "On Wed, 4 Mar 2027 at 08:10, Hemi Walker <hemi@x.org> wrote:\n"
     "\n"
     "> I agree with Ann.\n"
     ">\n"
     "> On Tue, 3 Mar 2027 at 19:30, Ann Smith <ann@x.org> wrote:\n"
     ">\n"
     "> > The ending was rushed.\n"
     "> >> So was the middle.\n",
     "Me too."},
    {"indented_quotes",
     "My thoughts below.\n"
     "  > quoted with leading spaces\n"
     "\t> and with a tab\n"
     "The storm scene was the best part.\n",
     "My thoughts below.\n\nThe storm scene was the best part."},
    {"crlf",
     "Kia ora,\r\n"
     "\r\n"
     "See you Tuesday.  \r\n"
     "\r\n"
     "On Tue, 3 Mar 2027 at 19:30, Ann Smith <ann@x.org> wrote:\r\n"
     "> Tuesday?\r\n",
     "Kia ora,\n\nSee you Tuesday."},
    {"only_a_quote", "> I loved it.\n> \n> Ann\n", ""},
    {"empty", "", ""},
    {"blank", "  \n\t\n\n", ""},
    /* no time and no address: these are the person's own words */
    {"mentions_wrote",
     "As Tolstoy wrote: happy families are all alike.\n"
     "On page 45, Anna wrote:\n"
     "the letter she never sent.\n"
     "On Tuesday, Ann wrote:\n"
     "we should read Atlas next.\n",
     "As Tolstoy wrote: happy families are all alike.\n"
     "On page 45, Anna wrote:\n"
     "the letter she never sent.\n"
     "On Tuesday, Ann wrote:\n"
     "we should read Atlas next."},
    /* a reading plan is not an Outlook header block */
    {"reading_plan",
     "Reading plan:\n"
     "From: chapter 3\n"
     "To: chapter 5\n"
     "Date: Tuesday\n",
     "Reading plan:\nFrom: chapter 3\nTo: chapter 5\nDate: Tuesday"},
    /* '>' inside a closed fence is a prompt, not a quote */
    {"fenced_code",
     "The script I use for our reading list:\n"
     "\n"
     "```\n"
     "$ sort books.txt \\\n"
     "> sorted.txt\n"
     "```\n"
     "\n"
     "> Can you share it?\n",
     "The script I use for our reading list:\n\n```\n$ sort books.txt \\\n"
     "> sorted.txt\n```"},
    {"unclosed_fence", "Here:\n```\n> quoted anyway\n", "Here:\n```"},
    {"maori_and_emoji",
     "Kia ora koutou! Ka kite anō ā te Tūrei 📚✨\n"
     "\n"
     "Ngā mihi,\n"
     "Āwhina\n"
     "\n"
     "On Tue, 3 Mar 2027 at 19:30, Ann Smith <ann@x.org> wrote:\n"
     "> Kia ora Āwhina\n",
     "Kia ora koutou! Ka kite anō ā te Tūrei 📚✨\n\nNgā mihi,\nĀwhina"},
    /* a forward is content: kept as it is, quotes and all */
    {"gmail_forward",
     "Thought you'd enjoy this review.\n"
     "\n"
     "---------- Forwarded message ---------\n"
     "From: Ann Smith <ann@x.org>\n"
     "Date: Tue, 3 Mar 2027 at 19:30\n"
     "Subject: Review of The Luminaries\n"
     "To: <hemi@x.org>\n"
     "\n"
     "> A line quoted in the forward stays.\n"
     "The review text.\n",
     "Thought you'd enjoy this review.\n"
     "\n"
     "---------- Forwarded message ---------\n"
     "From: Ann Smith <ann@x.org>\n"
     "Date: Tue, 3 Mar 2027 at 19:30\n"
     "Subject: Review of The Luminaries\n"
     "To: <hemi@x.org>\n"
     "\n"
     "> A line quoted in the forward stays.\n"
     "The review text."},
    {"apple_forward",
     "Sent from my iPhone\n"
     "\n"
     "Begin forwarded message:\n"
     "\n"
     "> From: Ann Smith <ann@x.org>\n"
     "> Date: 3 March 2027 at 19:30:00 NZDT\n"
     "> Subject: Week 3\n"
     "> \n"
     "> Chapter list attached.\n",
     "Begin forwarded message:\n"
     "\n"
     "> From: Ann Smith <ann@x.org>\n"
     "> Date: 3 March 2027 at 19:30:00 NZDT\n"
     "> Subject: Week 3\n"
     ">\n"
     "> Chapter list attached."},
    /* Gmail puts the signature above the forward */
    {"signature_then_forward",
     "FYI\n"
     "-- \n"
     "Hemi\n"
     "\n"
     "---------- Forwarded message ---------\n"
     "From: Ann Smith <ann@x.org>\n"
     "\n"
     "Hello\n",
     "FYI\n\n---------- Forwarded message ---------\nFrom: Ann Smith "
     "<ann@x.org>\n\nHello"},
    /* ---- issue 17, item 9 ---- */
    /* an attribution with neither a date nor an address, above a quote */
    {"attribution_no_date",
     "Yes, I'll take the first question.\n"
     "\n"
     "On Tuesday, Aroha wrote:\n"
     "> Who wants to open next week?\n",
     "Yes, I'll take the first question."},
    {"attribution_no_date_german",
     "Gern.\n\nAm Dienstag schrieb Aroha:\n> Wer fängt an?\n", "Gern."},
    {"attribution_no_date_french",
     "Avec plaisir.\n\nLe mardi, Aroha a écrit :\n> Qui commence ?\n",
     "Avec plaisir."},
    {"attribution_no_date_spanish",
     "Claro.\n\nEl martes, Aroha escribió:\n> ¿Quién empieza?\n", "Claro."},
    /* the reply written below the quote: the quote goes, the text stays */
    {"reply_below_quote",
     "On Tuesday, Aroha wrote:\n"
     "> Who wants to open next week?\n"
     "> I can if nobody else does.\n"
     "\n"
     "I will, I have notes on chapter two.\n"
     "\n"
     "Hemi\n",
     "I will, I have notes on chapter two.\n\nHemi"},
    {"reply_below_dated_quote",
     "On Tue, 3 Mar 2027 at 19:30, Ann Smith <ann@x.org> wrote:\n"
     "\n"
     "> Did the ending work for you?\n"
     "\n"
     "Not for me: it was rushed.\n"
     "\n"
     "Sent from my iPad\n",
     "Not for me: it was rushed."},
    /* "Sent from my iPad" opening a sentence is not a signature */
    {"sent_from_sentence_mid",
     "I read it on the plane.\n"
     "Sent from my iPad to the printer, the map came out blurred.\n"
     "\n"
     "On Tue, 3 Mar 2027 at 19:30, Ann Smith <ann@x.org> wrote:\n"
     "> Did anyone print the map?\n",
     "I read it on the plane.\n"
     "Sent from my iPad to the printer, the map came out blurred."},
    {"sent_from_sentence_last",
     "The map is attached.\n"
     "Sent from my iPad, which is why it is sideways.\n",
     "The map is attached.\n"
     "Sent from my iPad, which is why it is sideways."},
    /* a real signature line still goes, with its quote below */
    {"sent_from_signature_above_quote",
     "Count me in\n\nSent from my Galaxy\n\n"
     "-------- Original message --------\n"
     "From: Ann Smith <ann@x.org>\n"
     "Date: 3/3/27 19:30 (GMT+12:00)\n"
     "To: circle@x.org\n"
     "Subject: Week 3\n\nWho is in?\n",
     "Count me in"},
    /* '>' in the person's own text */
    {"own_line_starting_with_gt",
     "The turnout was great.\n"
     ">50 people came to the launch!\n"
     "Next week is chapter four.\n",
     "The turnout was great.\n"
     ">50 people came to the launch!\n"
     "Next week is chapter four."},
    {"own_blockquote_in_paragraph",
     "My favourite line:\n"
     "> It was a dark and stormy night.\n"
     "I laughed every time.\n",
     "My favourite line:\n"
     "> It was a dark and stormy night.\n"
     "I laughed every time."},
    /* "On page 45" is no date: the line stays, and so does the one line
     * of the book quoted inside the paragraph */
    {"on_page_not_attribution",
     "On page 45, Anna wrote:\n"
     "> I never sent the letter.\n"
     "and that is the whole mystery.\n",
     "On page 45, Anna wrote:\n"
     "> I never sent the letter.\n"
     "and that is the whole mystery."},
    /* but a reply's quote with the same shape, under an attribution */
    {"gt_line_under_attribution",
     "I laughed every time.\n"
     "\n"
     "On Tue, 3 Mar 2027 at 19:30, Ann Smith <ann@x.org> wrote:\n"
     "> It was a dark and stormy night.\n",
     "I laughed every time."},
    /* Outlook's From/Sent block as HTML mail renders it: one line */
    {"outlook_block_one_line",
     "Happy to host.\n"
     "\n"
     "From: Ann Smith <ann@x.org> Sent: Tuesday, March 3, 2027 7:30 PM "
     "To: circle@x.org Subject: Week 3\n"
     "Who can host?\n",
     "Happy to host."},
    /* Gmail's mobile apps */
    {"gmail_android",
     "On my way.\n"
     "\n"
     "On Tue, 3 Mar 2027, 19:30 Ann Smith, <ann@x.org> wrote:\n"
     "\n"
     "> Starting now\n",
     "On my way."},
    {"gmail_ios_wrapped",
     "On my way.\n"
     "\n"
     "On Tue, Mar 3, 2027 at 7:30 PM, Ann Katherine Smith-Worthington <\n"
     "ann@x.org> wrote:\n"
     "\n"
     "> Starting now\n",
     "On my way."},
    {"trailing_space_and_blank_lines",
     "  Indented first line stays indented.   \n"
     "Second line.\t\n"
     "\n"
     "\n"
     "\n",
     "  Indented first line stays indented.\nSecond line."},
};

#define N_STRIP (sizeof(strip_cases) / sizeof(strip_cases[0]))

static void test_strip_case(void **state)
{
    const struct strip_case *c = *state;
    char *got = mg_mail_strip_reply(c->in);

    assert_non_null(got);
    assert_string_equal(got, c->out);
    free(got);
}

static const struct strip_case html_cases[] = {
    {"html_paragraphs", "<p>First paragraph.</p><p>Second\n   paragraph.</p>",
     "First paragraph.\n\nSecond paragraph."},
    {"html_br", "line one<br>line two<br/><br>line four<br><br><br>line seven",
     "line one\nline two\n\nline four\n\nline seven"},
    {"html_whitespace",
     "<div>  Hello   <b>big</b>\n<i>world</i> ! &nbsp; </div>",
     "Hello big world !"},
    {"html_lists",
     "<p>Shortlist:</p><ul><li>The Luminaries</li><li>Potiki<ul><li>audio"
     "</li></ul></li></ul><ol><li>vote</li></ol><p>Vote!</p>",
     "Shortlist:\n\n- The Luminaries\n- Potiki\n  - audio\n\n- vote\n\n"
     "Vote!"},
    {"html_links",
     "<p>Read <a href=\"https://example.org/review\">the review</a>, see "
     "<a href=\"https://example.org/\">example.org</a>, mail "
     "<a href=\"mailto:ann@x.org\">ann@x.org</a>, "
     "<a href=\"https://example.org/a\"> </a>or "
     "<a href=\"#top\">top</a>.</p>",
     "Read the review <https://example.org/review>, see example.org, mail "
     "ann@x.org, or top."},
    {"html_entities",
     "<p>Fish &amp; chips &lt;3 &#256;whina caf&eacute; &mdash; "
     "&#x1F4DA;&nbsp;&nbsp;ok</p>",
     "Fish & chips <3 Āwhina café — 📚 ok"},
    {"html_script_style",
     "<html><head><title>Newsletter</title><style>p{color:red}</style>"
     "<script>alert(1)</script></head><body><p>Visible</p>"
     "<script>var x = '<p>no</p>';</script>"
     "<div style=\"color: red; DISPLAY : none\">preheader</div>"
     "<p hidden>hidden</p><p>Also visible</p></body></html>",
     "Visible\n\nAlso visible"},
    {"html_blockquote",
     "<p>Mine</p><blockquote><p>Theirs one</p><p>Theirs two</p>"
     "<blockquote>Older</blockquote></blockquote><p>After</p>",
     "Mine\n\n> Theirs one\n>\n> Theirs two\n>\n> > Older\n\nAfter"},
    /* Gmail's indent button: the person's own text, not a quote */
    {"html_gmail_indent",
     "<div>I loved this:</div><blockquote style=\"margin:0 0 0 40px;"
     "border:none;padding:0px\"><div>It was the best of times.</div>"
     "</blockquote><div>Agreed?</div>",
     "I loved this:\n\nIt was the best of times.\n\nAgreed?"},
    {"html_headings_table",
     "<h1>Week 3</h1>Intro<h2>Groups</h2><table><tr><th>Book</th>"
     "<th>Week</th></tr><tr><td>Potiki</td><td>3</td></tr></table>",
     "Week 3\n\nIntro\n\nGroups\n\nBook Week\nPotiki 3"},
    {"html_pre", "<p>Code:</p><pre>  a  b\n    c</pre><p>done</p>",
     "Code:\n\n  a  b\n    c\n\ndone"},
    /* libxml2 closes what </p> leaves open and the cells a new one ends */
    {"html_broken",
     "<p>Unclosed <b>bold <i>italic</p><div>next<table><tr><td>a<td>b"
     "</table>",
     "Unclosed bold italic\n\nnext\na b"},
    /* inbound hands over UTF-8; a stale charset must not re-decode it */
    {"html_stale_charset", "<meta charset=\"windows-1252\"><p>Āwhina café</p>",
     "Āwhina café"},
    /* Outlook's downlevel-revealed conditionals, and a real comment */
    {"html_outlook_list",
     "<!--[if gte mso 9]><xml><o:shapedefaults/></xml><![endif]-->"
     "<p class=MsoListParagraph><![if !supportLists]><span "
     "style='mso-list:Ignore'>1.<span>&nbsp;&nbsp; </span></span>"
     "<![endif]>Read part one<o:p></o:p></p><![endif]>",
     "1. Read part one"},
    {"html_plain_text", "just text, no markup", "just text, no markup"},
    {"html_empty", "", ""},
    {"html_blank", "  \n\t ", ""},
};

#define N_HTML (sizeof(html_cases) / sizeof(html_cases[0]))

static void test_html_case(void **state)
{
    const struct strip_case *c = *state;
    char *got = mg_mail_html_to_text(c->in, strlen(c->in));

    assert_non_null(got);
    assert_string_equal(got, c->out);
    free(got);
}

/* HTML replies as clients send them: rendered, then stripped. */
static const struct strip_case html_reply_cases[] = {
    {"html_gmail_reply",
     "<div dir=\"ltr\">Loved it, see you Tuesday.<div><br></div><div>Hemi"
     "</div></div><br><div class=\"gmail_quote\"><div dir=\"ltr\" "
     "class=\"gmail_attr\">On Tue, 3 Mar 2027 at 19:30, Ann Smith &lt;"
     "<a href=\"mailto:ann@x.org\">ann@x.org</a>&gt; wrote:<br></div>"
     "<blockquote class=\"gmail_quote\" style=\"margin:0px 0px 0px 0.8ex;"
     "border-left:1px solid rgb(204,204,204);padding-left:1ex\"><div "
     "dir=\"ltr\">What did you think of the ending?<div><br></div><div>Ann"
     "</div></div></blockquote></div>",
     "Loved it, see you Tuesday.\n\nHemi"},
    {"html_apple_reply",
     "<html><body dir=\"auto\">I'll bring biscuits.<br><br><div "
     "dir=\"ltr\">Sent from my iPhone</div><div dir=\"ltr\"><br><blockquote "
     "type=\"cite\">On 3 Mar 2027, at 19:30, Ann Smith &lt;ann@x.org&gt; "
     "wrote:<br><br></blockquote></div><blockquote type=\"cite\"><div "
     "dir=\"ltr\">Who is hosting?</div></blockquote></body></html>",
     "I'll bring biscuits."},
    {"html_outlook_reply",
     "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; "
     "charset=utf-8\"><style>p.MsoNormal{margin:0cm}</style></head><body "
     "lang=\"EN-NZ\"><div class=\"WordSection1\"><p class=\"MsoNormal\">"
     "Count me in.<o:p></o:p></p><p class=\"MsoNormal\"><o:p>&nbsp;</o:p>"
     "</p><div><div style=\"border:none;border-top:solid #E1E1E1 1.0pt;"
     "padding:3.0pt 0cm 0cm 0cm\"><p class=\"MsoNormal\"><b>From:</b> Ann "
     "Smith &lt;ann@x.org&gt; <br><b>Sent:</b> Tuesday, 3 March 2027 7:30 "
     "PM<br><b>To:</b> Book Circle &lt;circle@x.org&gt;<br><b>Subject:</b> "
     "Week 3<o:p></o:p></p></div></div><p class=\"MsoNormal\"><o:p>&nbsp;"
     "</o:p></p><p class=\"MsoNormal\">Who is in?<o:p></o:p></p></div>"
     "</body></html>",
     "Count me in."},
};

#define N_HTML_REPLY (sizeof(html_reply_cases) / sizeof(html_reply_cases[0]))

static void test_html_reply_case(void **state)
{
    const struct strip_case *c = *state;
    char *text = mg_mail_html_to_text(c->in, strlen(c->in));
    char *got = mg_mail_strip_reply(text);

    assert_string_equal(got, c->out);
    free(text);
    free(got);
}

/* The Gmail reply's rendering itself, line by line. */
static void test_html_gmail_rendering(void **state)
{
    char *got;

    (void)state;
    got = mg_mail_html_to_text(html_reply_cases[0].in,
                               strlen(html_reply_cases[0].in));
    assert_string_equal(got,
                        "Loved it, see you Tuesday.\n\nHemi\n\nOn Tue, 3 Mar "
                        "2027 at 19:30, Ann Smith <ann@x.org> wrote:\n\n> "
                        "What did you think of the ending?\n>\n> Ann");
    free(got);
}

static void test_null(void **state)
{
    char *s;

    (void)state;
    s = mg_mail_strip_reply(NULL);
    assert_string_equal(s, "");
    free(s);
    s = mg_mail_html_to_text(NULL, 0);
    assert_string_equal(s, "");
    free(s);
}

/*
 * Nesting far past any real thread: quote prefixes and list indents stop
 * at eight levels. Past libxml2's own depth limit (256 elements) the
 * parser gives up and the text is empty, but nothing breaks.
 */
static void test_html_deep_nesting(void **state)
{
    struct mg_buf b = MG_BUF_INIT;
    char *got;
    int i;

    (void)state;
    for (i = 0; i < 60; i++)
        mg_buf_puts(&b, "<blockquote><ul><li>");
    mg_buf_puts(&b, "deep");
    got = mg_mail_html_to_text(b.data, b.len);
    assert_string_equal(got, "> > > > > > > >               - deep");
    free(got);
    for (i = 60; i < 5000; i++)
        mg_buf_puts(&b, "<blockquote><ul><li>");
    got = mg_mail_html_to_text(b.data, b.len);
    assert_non_null(got);
    assert_true(strlen(got) < 100);
    free(got);
    mg_buf_release(&b);
}

/* Many quote headers, none closed: linear, and every one dropped. */
static void test_strip_many_attributions(void **state)
{
    struct mg_buf b = MG_BUF_INIT;
    char *got;
    int i;

    (void)state;
    mg_buf_puts(&b, "Mine.\n");
    for (i = 0; i < 20000; i++)
        mg_buf_puts(&b, "On Tue, 3 Mar 2027 at 19:30, A <a@x.org> wrote:\n"
                        "> q\n"
                        "a\n");
    got = mg_mail_strip_reply(b.data);
    assert_int_equal(strncmp(got, "Mine.\n\na\n\na\n", 12), 0);
    free(got);
    mg_buf_release(&b);
}

int main(void)
{
    struct CMUnitTest tests[N_STRIP + N_HTML + N_HTML_REPLY + 4];
    size_t i, n = 0;

    for (i = 0; i < N_STRIP; i++) {
        tests[n] = (struct CMUnitTest)cmocka_unit_test(test_strip_case);
        tests[n].name = strip_cases[i].name;
        tests[n++].initial_state = (void *)&strip_cases[i];
    }
    for (i = 0; i < N_HTML; i++) {
        tests[n] = (struct CMUnitTest)cmocka_unit_test(test_html_case);
        tests[n].name = html_cases[i].name;
        tests[n++].initial_state = (void *)&html_cases[i];
    }
    for (i = 0; i < N_HTML_REPLY; i++) {
        tests[n] = (struct CMUnitTest)cmocka_unit_test(test_html_reply_case);
        tests[n].name = html_reply_cases[i].name;
        tests[n++].initial_state = (void *)&html_reply_cases[i];
    }
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_html_gmail_rendering);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_null);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_html_deep_nesting);
    tests[n++] =
        (struct CMUnitTest)cmocka_unit_test(test_strip_many_attributions);
    return _cmocka_run_group_tests("strip", tests, n, NULL, NULL);
}
