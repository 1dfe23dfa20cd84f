/** What each kind module returns: the blocks of its report and its headline. */
import type { Block, Tone } from "./model";

export interface KindView {
  readonly status?: { readonly label: string; readonly tone: Tone };
  readonly blocks: readonly Block[];
}
