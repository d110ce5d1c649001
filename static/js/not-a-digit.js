// What every view says instead of a digit when an answer says the drawing is not a digit at all
// ("not_a_digit": true): a tap, a scribble, a doodle.

export const NOT_A_DIGIT = "That doesn't look like a digit";
