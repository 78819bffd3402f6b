"""
Indonesian teaching text of the demo lessons.

Each course of the demo gets two lessons. A lesson is a title, a summary
and a StreamField body given as (block type, value) pairs. The text follows
the topics of the national curriculum (Kurikulum Merdeka) for the grade.
"""

# Keyed by (subject, school level).
LESSONS = {
    ("Matematika", "SMP"): [
        {
            "title": "Bilangan Bulat dan Garis Bilangan",
            "slug": "bilangan-bulat",
            "summary": "Mengenal bilangan bulat positif, nol, dan negatif "
            "serta letaknya pada garis bilangan.",
            "body": [
                (
                    "paragraph",
                    "<p>Bilangan bulat terdiri atas bilangan bulat positif "
                    "(1, 2, 3, ...), nol, dan bilangan bulat negatif (-1, -2, "
                    "-3, ...). Bilangan negatif kita temui sehari-hari, "
                    "misalnya suhu di puncak gunung yang mencapai -2 °C atau "
                    "saldo tabungan yang berkurang.</p>",
                ),
                ("heading", "Garis bilangan"),
                (
                    "paragraph",
                    "<p>Pada garis bilangan, nol berada di tengah. Bilangan "
                    "positif terletak di sebelah kanan nol dan bilangan "
                    "negatif di sebelah kiri nol. Semakin ke kanan, nilai "
                    "bilangan semakin besar. Karena itu -1 lebih besar "
                    "daripada -5, walaupun angka 5 tampak lebih besar.</p>"
                    "<p>Contoh: urutkan -3, 4, 0, -7, dan 2 dari yang "
                    "terkecil. Jawabannya -7, -3, 0, 2, 4.</p>",
                ),
                (
                    "callout",
                    {
                        "kind": "tip",
                        "text": "<p>Jika ragu membandingkan dua bilangan "
                        "negatif, gambarlah garis bilangan kecil di buku "
                        "catatanmu. Bilangan yang letaknya lebih kiri selalu "
                        "lebih kecil.</p>",
                    },
                ),
                ("heading", "Latihan"),
                (
                    "paragraph",
                    "<ol><li>Suhu pagi hari 3 °C, lalu turun 5 °C. Berapa "
                    "suhunya sekarang?</li><li>Urutkan dari yang terbesar: "
                    "-12, 8, -1, 0, -20.</li></ol>",
                ),
            ],
        },
        {
            "title": "Operasi Penjumlahan dan Pengurangan Bilangan Bulat",
            "slug": "operasi-bilangan-bulat",
            "summary": "Menjumlahkan dan mengurangkan bilangan bulat dengan "
            "bantuan garis bilangan.",
            "body": [
                (
                    "paragraph",
                    "<p>Menjumlahkan bilangan positif berarti bergerak ke "
                    "kanan pada garis bilangan, sedangkan menjumlahkan "
                    "bilangan negatif berarti bergerak ke kiri. Contohnya, "
                    "4 + (-6) dimulai dari 4 lalu bergerak 6 langkah ke "
                    "kiri sehingga hasilnya -2.</p>",
                ),
                ("heading", "Mengurangkan sama dengan menjumlahkan lawannya"),
                (
                    "paragraph",
                    "<p>Setiap pengurangan dapat diubah menjadi penjumlahan "
                    "dengan lawan bilangannya: a - b = a + (-b). Jadi "
                    "5 - (-3) = 5 + 3 = 8, dan -2 - 4 = -2 + (-4) = -6.</p>",
                ),
                (
                    "callout",
                    {
                        "kind": "warning",
                        "text": "<p>Perhatikan tanda kurung. Pada 5 - (-3), "
                        "dua tanda minus yang berdampingan menjadi tambah. "
                        "Kesalahan paling sering terjadi di sini.</p>",
                    },
                ),
                (
                    "paragraph",
                    "<p>Coba hitung: -7 + 10, 3 - 9, dan -4 - (-4). Periksa "
                    "jawabanmu dengan garis bilangan.</p>",
                ),
            ],
        },
    ],
    ("Matematika", "SD"): [
        {
            "title": "Pecahan Senilai",
            "slug": "pecahan-senilai",
            "summary": "Memahami pecahan yang nilainya sama walaupun angkanya berbeda.",
            "body": [
                (
                    "paragraph",
                    "<p>Pecahan menunjukkan bagian dari suatu benda yang "
                    "utuh. Jika sebuah kue dipotong menjadi 4 bagian sama "
                    "besar dan kamu mengambil 1 bagian, kamu mendapat 1/4 "
                    "kue.</p>",
                ),
                ("heading", "Apa itu pecahan senilai?"),
                (
                    "paragraph",
                    "<p>Pecahan senilai adalah pecahan yang nilainya sama. "
                    "Setengah kue (1/2) sama banyaknya dengan dua potong "
                    "dari empat (2/4) dan tiga potong dari enam (3/6). "
                    "Pecahan senilai diperoleh dengan mengalikan atau "
                    "membagi pembilang dan penyebut dengan bilangan yang "
                    "sama.</p>",
                ),
                (
                    "callout",
                    {
                        "kind": "tip",
                        "text": "<p>Lipat selembar kertas menjadi dua, lalu "
                        "lipat lagi. Bagian yang diwarnai tetap sama "
                        "luasnya, tetapi namanya berubah dari 1/2 menjadi "
                        "2/4.</p>",
                    },
                ),
                (
                    "paragraph",
                    "<p>Latihan: tuliskan dua pecahan yang senilai dengan 2/3.</p>",
                ),
            ],
        },
        {
            "title": "Kelipatan dan Faktor",
            "slug": "kelipatan-dan-faktor",
            "summary": "Mencari kelipatan dan faktor suatu bilangan.",
            "body": [
                (
                    "paragraph",
                    "<p>Kelipatan suatu bilangan adalah hasil perkalian "
                    "bilangan itu dengan 1, 2, 3, dan seterusnya. Kelipatan "
                    "3 adalah 3, 6, 9, 12, 15, dan seterusnya.</p>",
                ),
                ("heading", "Faktor"),
                (
                    "paragraph",
                    "<p>Faktor suatu bilangan adalah bilangan yang dapat "
                    "membagi habis bilangan tersebut. Faktor dari 12 adalah "
                    "1, 2, 3, 4, 6, dan 12, karena 12 dapat dibagi habis "
                    "oleh setiap bilangan itu.</p>",
                ),
                (
                    "callout",
                    {
                        "kind": "info",
                        "text": "<p>Faktor selalu muncul berpasangan: 1 × 12, "
                        "2 × 6, dan 3 × 4. Cara ini membantu agar tidak ada "
                        "faktor yang terlewat.</p>",
                    },
                ),
                (
                    "paragraph",
                    "<p>Latihan: tuliskan lima kelipatan pertama dari 4 dan "
                    "semua faktor dari 18.</p>",
                ),
            ],
        },
    ],
    ("IPA", "SMP"): [
        {
            "title": "Klasifikasi Makhluk Hidup",
            "slug": "klasifikasi-makhluk-hidup",
            "summary": "Mengelompokkan makhluk hidup berdasarkan ciri-cirinya.",
            "body": [
                (
                    "paragraph",
                    "<p>Di sekitar kita ada jutaan jenis makhluk hidup. Agar "
                    "mudah dipelajari, para ilmuwan mengelompokkannya "
                    "berdasarkan persamaan dan perbedaan ciri. Cara ini "
                    "disebut klasifikasi.</p>",
                ),
                ("heading", "Tingkatan klasifikasi"),
                (
                    "paragraph",
                    "<p>Tingkatan klasifikasi dari yang paling luas adalah "
                    "kingdom, filum, kelas, ordo, famili, genus, dan "
                    "spesies. Semakin rendah tingkatannya, semakin banyak "
                    "persamaan ciri di antara anggotanya. Kucing dan "
                    "harimau, misalnya, berada dalam famili yang sama, "
                    "yaitu Felidae.</p>",
                ),
                (
                    "callout",
                    {
                        "kind": "info",
                        "text": "<p>Nama ilmiah ditulis dengan dua kata "
                        "(binomial nomenklatur): kata pertama genus dan kata "
                        "kedua penunjuk spesies, misalnya <i>Oryza sativa</i> "
                        "untuk padi.</p>",
                    },
                ),
                (
                    "paragraph",
                    "<p>Tugas: amati lima tumbuhan di halaman sekolah. "
                    "Catat bentuk daun, tulang daun, dan ada tidaknya bunga, "
                    "lalu kelompokkan tumbuhan itu menurut catatanmu.</p>",
                ),
            ],
        },
        {
            "title": "Suhu dan Pemuaian",
            "slug": "suhu-dan-pemuaian",
            "summary": "Mengukur suhu dan mengenal pemuaian pada zat padat, "
            "cair, dan gas.",
            "body": [
                (
                    "paragraph",
                    "<p>Suhu menyatakan derajat panas atau dinginnya suatu "
                    "benda dan diukur dengan termometer. Skala yang paling "
                    "sering dipakai di Indonesia adalah Celsius: air membeku "
                    "pada 0 °C dan mendidih pada 100 °C di permukaan "
                    "laut.</p>",
                ),
                ("heading", "Pemuaian"),
                (
                    "paragraph",
                    "<p>Kebanyakan benda memuai ketika dipanaskan dan "
                    "menyusut ketika didinginkan. Karena itu sambungan rel "
                    "kereta api diberi celah, dan kabel listrik dipasang "
                    "agak kendur agar tidak putus saat udara dingin.</p>",
                ),
                (
                    "callout",
                    {
                        "kind": "warning",
                        "text": "<p>Jangan memanaskan botol kaca yang "
                        "tertutup rapat. Udara di dalamnya memuai dan botol "
                        "dapat pecah.</p>",
                    },
                ),
                (
                    "paragraph",
                    "<p>Pertanyaan: mengapa termometer raksa atau alkohol "
                    "dapat menunjukkan suhu? Hubungkan jawabanmu dengan "
                    "pemuaian zat cair.</p>",
                ),
            ],
        },
    ],
    ("Bahasa Indonesia", "SMP"): [
        {
            "title": "Teks Deskripsi",
            "slug": "teks-deskripsi",
            "summary": "Mengenali ciri dan struktur teks deskripsi.",
            "body": [
                (
                    "paragraph",
                    "<p>Teks deskripsi menggambarkan suatu objek, tempat, "
                    "atau suasana secara rinci sehingga pembaca seolah-olah "
                    "melihat, mendengar, atau merasakannya sendiri.</p>",
                ),
                ("heading", "Struktur teks deskripsi"),
                (
                    "paragraph",
                    "<p>Teks deskripsi terdiri atas identifikasi, yaitu "
                    "pengenalan objek, dan deskripsi bagian, yaitu rincian "
                    "objek satu per satu. Sebagian teks ditutup dengan "
                    "simpulan atau kesan penulis.</p>"
                    "<p>Contoh: <i>Taman kota itu dipenuhi pohon trembesi "
                    "yang rindang. Di bawahnya, bangku-bangku kayu berjajar "
                    "menghadap kolam kecil yang airnya jernih.</i></p>",
                ),
                (
                    "callout",
                    {
                        "kind": "tip",
                        "text": "<p>Gunakan kata-kata yang melibatkan "
                        "pancaindra: warna, bunyi, bau, dan rasa membuat "
                        "deskripsi lebih hidup.</p>",
                    },
                ),
                (
                    "paragraph",
                    "<p>Tugas: tulis satu paragraf deskripsi tentang ruang "
                    "kelasmu dengan paling sedikit lima kalimat.</p>",
                ),
            ],
        },
        {
            "title": "Puisi Rakyat: Pantun",
            "slug": "pantun",
            "summary": "Mengenal ciri pantun dan membuat pantun sendiri.",
            "body": [
                (
                    "paragraph",
                    "<p>Pantun adalah puisi rakyat Melayu yang terdiri atas "
                    "empat baris dalam satu bait. Dua baris pertama disebut "
                    "sampiran dan dua baris terakhir disebut isi.</p>",
                ),
                ("heading", "Ciri pantun"),
                (
                    "paragraph",
                    "<ul><li>Setiap bait terdiri atas empat baris.</li>"
                    "<li>Setiap baris terdiri atas 8 sampai 12 suku kata."
                    "</li><li>Rimanya a-b-a-b.</li><li>Baris ketiga dan "
                    "keempat memuat pesan.</li></ul>"
                    "<p><i>Ke pasar Depok membeli belimbing,<br>belimbing "
                    "manis di atas peti.<br>Rajin belajar hati pun bening,"
                    "<br>ilmu bermanfaat sampai nanti.</i></p>",
                ),
                (
                    "callout",
                    {
                        "kind": "info",
                        "text": "<p>Sampiran biasanya tidak berhubungan "
                        "langsung dengan isi. Tugasnya menyiapkan bunyi rima "
                        "untuk baris isi.</p>",
                    },
                ),
                (
                    "paragraph",
                    "<p>Tugas: buat satu pantun nasihat tentang menjaga "
                    "kebersihan lingkungan.</p>",
                ),
            ],
        },
    ],
    ("Bahasa Indonesia", "SD"): [
        {
            "title": "Gagasan Pokok dalam Paragraf",
            "slug": "gagasan-pokok",
            "summary": "Menemukan gagasan pokok dan gagasan pendukung.",
            "body": [
                (
                    "paragraph",
                    "<p>Setiap paragraf memiliki satu gagasan pokok, yaitu "
                    "hal utama yang dibicarakan. Kalimat lain dalam "
                    "paragraf itu berisi gagasan pendukung yang menjelaskan "
                    "gagasan pokok.</p>",
                ),
                ("heading", "Cara menemukan gagasan pokok"),
                (
                    "paragraph",
                    "<p>Bacalah paragraf dengan teliti, lalu tanyakan: "
                    "paragraf ini membicarakan apa? Gagasan pokok sering "
                    "terdapat pada kalimat pertama atau kalimat terakhir "
                    "paragraf.</p>"
                    "<p><i>Sungai Ciliwung melintasi Kota Depok. Airnya "
                    "dipakai warga untuk menyiram kebun. Di tepinya "
                    "anak-anak belajar menanam pohon.</i> Gagasan pokok "
                    "paragraf ini adalah Sungai Ciliwung yang melintasi "
                    "Kota Depok.</p>",
                ),
                (
                    "callout",
                    {
                        "kind": "tip",
                        "text": "<p>Garis bawahi kata yang paling sering "
                        "muncul. Kata itu sering menjadi petunjuk gagasan "
                        "pokok.</p>",
                    },
                ),
                (
                    "paragraph",
                    "<p>Latihan: tuliskan gagasan pokok dari bacaan di buku "
                    "siswa halaman 12.</p>",
                ),
            ],
        },
        {
            "title": "Membaca Puisi dengan Lafal yang Jelas",
            "slug": "membaca-puisi",
            "summary": "Berlatih membaca puisi dengan lafal, intonasi, dan "
            "ekspresi yang tepat.",
            "body": [
                (
                    "paragraph",
                    "<p>Puisi ditulis dengan kata-kata pilihan yang indah. "
                    "Saat membaca puisi, suara kita perlu jelas agar "
                    "pendengar memahami isinya.</p>",
                ),
                ("heading", "Hal yang perlu diperhatikan"),
                (
                    "paragraph",
                    "<ul><li>Lafal: ucapkan setiap kata dengan jelas.</li>"
                    "<li>Intonasi: atur tinggi rendahnya suara.</li>"
                    "<li>Ekspresi: tunjukkan perasaan sesuai isi puisi."
                    "</li></ul>",
                ),
                (
                    "callout",
                    {
                        "kind": "tip",
                        "text": "<p>Rekam suaramu dengan ponsel saat "
                        "berlatih, lalu dengarkan kembali. Kamu akan tahu "
                        "bagian mana yang kurang jelas.</p>",
                    },
                ),
                (
                    "paragraph",
                    "<p>Tugas: pilih satu puisi tentang ibu, berlatih "
                    "membacanya tiga kali, lalu bacakan di depan "
                    "keluargamu.</p>",
                ),
            ],
        },
    ],
}
