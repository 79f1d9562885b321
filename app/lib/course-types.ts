// Serializable views of the course that server pages hand to client components (browser-safe).

/** What the course map shows of one lesson. */
export interface LessonCard {
  slug: string;
  number: number;
  title: string;
  summary: string;
  minutes: number;
  exercises: number;
  requires: string[];
}

/** An exercise as the page shows it, in one language. */
export interface ExerciseView {
  id: string;
  number: number;
  title: string;
  hints: string[];
  solution: Array<{ host: string; run: string }>;
  /** Set when the exercise is checked by a typed answer (the page shows an answer box): what kind of value. */
  answer?: ExerciseAnswerKind;
}

export type ExerciseAnswerKind = 'containerIp' | 'containerMac' | 'networkSubnet' | 'networkGateway' | 'text';
