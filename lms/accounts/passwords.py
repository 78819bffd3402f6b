"""
Temporary passwords that a school operator hands out on paper.

A password is an Indonesian noun, an adjective and four digits, such as
``kucing-biru-4821``: easy to read aloud and to type on a phone, even for a
young student. The lists give 120 x 50 x 10,000 = 60 million passwords
(about 26 bits), enough for a password that the login lockout guards and
that the person replaces at the first login.
"""

import secrets

NOUNS = (
    # Animals
    "kucing", "kelinci", "gajah", "harimau", "singa", "kuda", "sapi", "kambing",
    "ayam", "bebek", "burung", "ikan", "katak", "rusa", "zebra", "jerapah",
    "panda", "beruang", "paus", "lebah", "semut", "capung", "merpati", "elang",
    "kancil", "unta", "domba", "tupai", "penyu", "kerbau", "angsa", "cicak",
    "kepiting", "udang", "bangau", "kakatua", "koala", "lumba", "badak", "komodo",
    # Fruit and food
    "apel", "jeruk", "mangga", "pisang", "nanas", "melon", "semangka", "anggur",
    "salak", "durian", "rambutan", "jambu", "pepaya", "manggis", "kelapa",
    "alpukat", "nangka", "sirsak", "markisa", "belimbing", "roti", "kue", "madu",
    "susu", "jagung", "tomat", "wortel", "kentang", "kacang", "labu",
    # Nature
    "bulan", "bintang", "matahari", "awan", "hujan", "pelangi", "gunung",
    "sungai", "danau", "laut", "pantai", "pulau", "hutan", "bunga", "mawar",
    "melati", "anggrek", "pohon", "daun", "batu", "pasir", "angin", "ombak",
    "embun", "petir",
    # Things
    "buku", "pensil", "meja", "kursi", "sepeda", "kapal", "perahu", "kereta",
    "layang", "payung", "topi", "sepatu", "tas", "jam", "lampu", "kunci",
    "bola", "gitar", "drum", "piring", "gelas", "balon", "kemeja", "jendela",
    "pintu",
)  # fmt: skip

ADJECTIVES = (
    "merah", "biru", "hijau", "kuning", "ungu", "putih", "hitam", "jingga",
    "coklat", "emas", "perak", "besar", "kecil", "tinggi", "cepat", "manis",
    "segar", "hangat", "sejuk", "terang", "ceria", "riang", "berani", "pintar",
    "rajin", "ramah", "lucu", "gesit", "kuat", "lincah", "tenang", "sabar",
    "jujur", "baik", "indah", "cantik", "bersih", "harum", "lembut", "bulat",
    "panjang", "lebar", "baru", "muda", "senang", "gembira", "damai", "megah",
    "mungil", "hebat",
)  # fmt: skip


def temporary_password():
    """Return a new random temporary password such as ``kucing-biru-4821``."""
    noun = secrets.choice(NOUNS)
    adjective = secrets.choice(ADJECTIVES)
    return f"{noun}-{adjective}-{secrets.randbelow(10_000):04d}"
