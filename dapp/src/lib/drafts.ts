/**
 * What a message box keeps once what was sent from it is stored. The box stays editable while the send is on its
 * way, so the writer may have typed on; clearing the whole box on success would drop that unsent text.
 */
export function unsentRest(current: string, sent: string): string {
  // Edited within what was sent (a typo fixed, say): the text is the writer's to keep or send again.
  if (!current.startsWith(sent)) return current;
  return current.slice(sent.length).replace(/^\s+/, "");
}
