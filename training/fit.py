"""Fit networks reproducibly and join them into the one model that is saved."""

import sys

import numpy as np


def make_deterministic(seed):
    """Seed Python, NumPy and TensorFlow and ask TensorFlow for deterministic kernels and pipelines."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def training_pipeline(images, labels, batch_size, seed, augment):
    """Shuffled batches without end, each distorted (when augmenting) by randomness keyed on its number."""
    import tensorflow as tf

    from training.augment import drawn_digit_augmenter

    dataset = tf.data.Dataset.from_tensor_slices((images, labels.astype(np.int32)))
    dataset = dataset.shuffle(len(labels), seed=seed, reshuffle_each_iteration=True).repeat().batch(batch_size)
    if augment:
        distort = drawn_digit_augmenter(seed)
        dataset = dataset.enumerate().map(lambda number, batch: (distort(number, batch[0]), batch[1]),
                                          num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.prefetch(tf.data.AUTOTUNE)


def train_member(args, seed, training, validation, start=None, checkpoint=None):
    """Fit one network, from the weights ``start`` when given; returns it with its per-epoch history
    (None before the first epoch ends) and whether Ctrl-C stopped it.

    With a ``checkpoint`` (:mod:`training.checkpoints`) it goes on from the last epoch an earlier run finished,
    its history counts every run's epochs, and a network not stopped by Ctrl-C is recorded as finished.
    """
    import keras

    from training.architectures import ARCHITECTURES
    from training.callbacks import StopOnCtrlC

    make_deterministic(seed)
    model = ARCHITECTURES[args.arch]()
    if start is not None:
        model.set_weights(start)
    steps_per_epoch = int(np.ceil(len(training[1]) / args.batch_size))
    schedule = keras.optimizers.schedules.ExponentialDecay(args.learning_rate, steps_per_epoch, 0.9)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    stopping = {"monitor": "val_loss", "patience": args.patience, "restore_best_weights": True}
    stopper = checkpoint.early_stopping(**stopping) if checkpoint else keras.callbacks.EarlyStopping(**stopping)
    ctrl_c = StopOnCtrlC()
    pipeline = training_pipeline(*training, args.batch_size, seed, args.augment)
    callbacks = [ctrl_c, stopper, *(checkpoint.callbacks() if checkpoint else [])]
    model.fit(pipeline, steps_per_epoch=steps_per_epoch, validation_data=validation, epochs=args.epochs,
              callbacks=callbacks, shuffle=False, verbose=2 if args.quiet else "auto")
    if ctrl_c.pressed:
        print("\ninterrupted: keeping the best epoch so far", file=sys.stderr)
    if checkpoint is None:
        history = {key: [float(v) for v in values] for key, values in model.history.history.items()}
    else:
        history = checkpoint.history()
        if not ctrl_c.pressed:
            checkpoint.finish(model)
    return model, history if history.get("loss") else None, ctrl_c.pressed


def train_members(args, training, validation, checkpoints=None):
    """Fit ``args.members`` networks from seeds SEED, SEED+1, ...

    Returns the networks, their histories and whether Ctrl-C stopped training.
    A network that Ctrl-C cut short is kept only when it is the first: a
    half-trained network averaged in at full weight would drag down the others.
    With ``checkpoints`` (one per network), a network an earlier run finished is
    read back instead of trained again.
    """
    starts = initial_weights(args.init) if args.init else [None]
    networks, histories = [], []
    for member in range(args.members):
        checkpoint = checkpoints[member] if checkpoints else None
        if checkpoint is not None and checkpoint.is_finished():
            print(f"network {member + 1}: finished by an earlier run, read from {checkpoint.folder}")
            networks.append(checkpoint.finished_network(args.arch))
            histories.append(checkpoint.history())
            continue
        start = starts[member % len(starts)]
        network, history, interrupted = train_member(args, args.seed + member, training, validation, start,
                                                     checkpoint)
        if interrupted and networks:
            print(f"dropped network {member + 1}: Ctrl-C cut it short", file=sys.stderr)
            return networks, histories, True
        if history:
            networks.append(network)
            histories.append(history)
        if interrupted:
            return networks, histories, True
    return networks, histories, False


def initial_weights(path):
    """The weights of each network in a model file written by train.py, to go on training from."""
    import keras

    model = keras.saving.load_model(path, compile=False)
    networks = [layer for layer in model.layers if isinstance(layer, keras.Model)] or [model]
    return [network.get_weights() for network in networks]


def inference_model(arch, members):
    """The trained networks without optimizer state, as one model that averages their probabilities."""
    import keras

    from training.architectures import ARCHITECTURES, INPUT_SHAPE

    fresh = []
    for index, member in enumerate(members):
        network = ARCHITECTURES[arch](name=arch if len(members) == 1 else f"{arch}_{index}")
        network.set_weights(member.get_weights())
        fresh.append(network)
    if len(fresh) == 1:
        return fresh[0]
    inputs = keras.Input(INPUT_SHAPE)
    outputs = keras.layers.Average()([network(inputs) for network in fresh])
    return keras.Model(inputs, outputs, name=f"{arch}_ensemble")


def predict(model, images):
    return model.predict(images, batch_size=1024, verbose=0)
